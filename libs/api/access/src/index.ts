export * from './access.module.js';
export * from './access.service.js';
