export * from './metrics.module.js';
export * from './metrics-store.service.js';
export * from './partitions.js';
export * from './sample.js';
