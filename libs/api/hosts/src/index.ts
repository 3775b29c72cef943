export * from './hosts.module.js';
export * from './hosts.service.js';
export * from './entities/host.entity.js';
export * from './collector.service.js';
export * from './entities/api-instance.entity.js';
