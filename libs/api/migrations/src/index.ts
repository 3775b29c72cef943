export * from './migrations.module.js';
export * from './migrations.service.js';
export * from './migration-driver.js';
export * from './preflight.js';
export * from './planner.js';
export * from './entities/migration.entity.js';
