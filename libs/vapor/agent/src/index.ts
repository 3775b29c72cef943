export * from './agent-server.js';
export * from './config.js';
