export * from './metrics.module.js';
export * from './metrics-store.service.js';
export * from './partitions.js';
