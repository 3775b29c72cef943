export * from './api-fetch.js';
export * from './live.js';
export * from './system.queries.js';
export * from './auth.queries.js';
export * from './hosts.queries.js';
export * from './vms.queries.js';
export * from './metrics.queries.js';
