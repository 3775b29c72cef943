// Durable jobs in the console: the masthead's running jobs, the jobs list and a job's page.
export { jobsRoutes } from './routes.js';
export { JobsIndicator } from './JobsIndicator.js';
export { JobPage } from './JobPage.js';
export { JobsPage } from './JobsPage.js';
export { CancelJobButton } from './CancelJobButton.js';
export { describeCounts, isFinished, JobProgress, JobStateLabel, TargetStateLabel } from './JobProgress.js';
