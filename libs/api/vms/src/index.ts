export * from './vms.module.js';
export * from './vms.service.js';
export * from './placement.js';
export * from './bulk-actions.js';
