import { JobTargetEntity } from './job-target.entity.js';
import { JobEntity } from './job.entity.js';

export { JobEntity, JobTargetEntity };
export const jobEntities = [JobEntity, JobTargetEntity];
