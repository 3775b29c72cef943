export * from './jobs.module.js';
export * from './jobs.service.js';
export * from './job-engine.js';
export * from './job-handler.js';
export * from './target-runner.js';
export * from './entities/index.js';
export { announceJob, toJobSummary } from './job-rows.js';
