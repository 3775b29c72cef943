export * from './api-fetch.js';
export * from './system.queries.js';
export * from './auth.queries.js';
