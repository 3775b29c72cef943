export * from './access.module.js';
export * from './access.service.js';
export * from './access-changes.js';
