export * from './document.js';
export * from './openapi.module.js';
