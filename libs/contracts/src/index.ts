export * from './rest/route.js';
export * from './rest/errors.js';
export * from './rest/system.js';
export * from './rest/routes.js';
export * from './events/envelope.js';
export * from './vapor/agent.js';
export * from './version.js';
