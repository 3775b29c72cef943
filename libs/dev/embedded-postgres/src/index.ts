export * from './embedded-postgres.js';
export { postgresBinaries } from './binaries.js';
