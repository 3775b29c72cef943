export * from './api-fetch.js';
export * from './system.queries.js';
