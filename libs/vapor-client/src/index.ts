export * from './pinned-tls.js';
export * from './vapor-client.js';
