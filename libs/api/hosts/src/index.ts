export * from './hosts.module.js';
export * from './hosts.service.js';
export * from './inventory.service.js';
export * from './entities/host.entity.js';
export * from './entities/inventory.entities.js';
export * from './collector.service.js';
export * from './host-session.js';
export * from './entities/api-instance.entity.js';
