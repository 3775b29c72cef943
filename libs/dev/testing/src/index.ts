export * from './test-database.js';
export * from './cockpit-process.js';
export * from './vapor-fleet.js';
