export * from './auth.module.js';
export * from './admin-bootstrap.service.js';
export * from './users.service.js';
export * from './grants.service.js';
export * from './session.service.js';
export * from './password.service.js';
export * from './principal.service.js';
