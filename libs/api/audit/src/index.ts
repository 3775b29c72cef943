export * from './audit.module.js';
export * from './audit.service.js';
export * from './audit.interceptor.js';
export * from './entities/audit-record.entity.js';
export * from './redact.js';
