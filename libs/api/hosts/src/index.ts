export * from './hosts.module.js';
export * from './hosts.service.js';
export * from './entities/host.entity.js';
