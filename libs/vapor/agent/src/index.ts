export * from './agent-server.js';
export * from './event-hub.js';
export * from './tls-identity.js';
export * from './config.js';
export * from './cli.js';
export * from './faults.js';
export * from './stream-followers.js';
