export * from './system.module.js';
export * from './metrics.service.js';
