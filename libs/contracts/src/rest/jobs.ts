import { z } from 'zod';
import { ScopePath } from '../auth/permissions.js';
import { pageOf, pageQuery } from './paging.js';
import { defineRoute } from './route.js';

/**
 * A durable job: work Cockpit does over time on many targets (bulk VM actions today; migrations,
 * commands on hosts and deployments next). Any api instance may run it; when that instance dies,
 * another resumes it from its recorded targets.
 */
export const JobState = z.enum(['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;
export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export const JobTargetState = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']);
export type JobTargetState = z.infer<typeof JobTargetState>;

const count = z.number().int().nonnegative();

export const JobCounts = z.object({
  total: count,
  done: count.meta({ description: 'Targets finished one way or another' }),
  succeeded: count,
  failed: count,
  skipped: count,
  cancelled: count,
});
export type JobCounts = z.infer<typeof JobCounts>;

export const JobSummary = z
  .object({
    id: z.uuid(),
    kind: z.string().meta({ description: 'What it does, e.g. "vm.bulk-action"' }),
    title: z.string().meta({ description: 'One line for people, e.g. "Start 120 VMs"' }),
    scope: ScopePath.meta({ description: 'The narrowest scope holding every target' }),
    actor: z.object({ id: z.uuid().nullable(), name: z.string() }),
    state: JobState,
    progress: JobCounts,
    attempts: z.number().int().nonnegative().meta({ description: 'How many times an api instance started it (>1: resumed)' }),
    instance: z.string().nullable().meta({ description: 'The api instance running it now, or that ran it last' }),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Job' });
export type JobSummary = z.infer<typeof JobSummary>;

export const JobDetail = JobSummary.extend({
  params: z.record(z.string(), z.unknown()).meta({ description: 'What the job was asked to do' }),
}).meta({ id: 'JobDetail' });
export type JobDetail = z.infer<typeof JobDetail>;

export const JobTarget = z
  .object({
    targetId: z.string(),
    label: z.string().meta({ description: 'e.g. the VM’s name' }),
    group: z.string().nullable().meta({ description: 'What limits its concurrency, e.g. the host it runs on' }),
    state: JobTargetState,
    message: z.string().nullable().meta({ description: 'The outcome in a sentence, or why it failed' }),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'JobTarget' });
export type JobTarget = z.infer<typeof JobTarget>;

const JobParams = z.object({ jobId: z.uuid() });

export const listJobs = defineRoute({
  id: 'listJobs',
  method: 'get',
  path: '/api/jobs',
  summary: 'Jobs you started or may view, newest first, a page at a time',
  tag: 'Jobs',
  access: { permission: 'job.view', scope: 'visible' },
  query: pageQuery(['createdAt', 'state', 'kind'], '-createdAt').extend({
    state: JobState.optional(),
    kind: z.string().max(64).optional(),
    active: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .meta({ description: 'true: only queued, running or cancelling jobs' }),
    mine: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .meta({ description: 'true: only jobs you started' }),
  }),
  response: pageOf(JobSummary),
});

export const getJob = defineRoute({
  id: 'getJob',
  method: 'get',
  path: '/api/jobs/{jobId}',
  summary: 'One job with its progress',
  tag: 'Jobs',
  access: { permission: 'job.view', scope: { kind: 'job', param: 'jobId' } },
  params: JobParams,
  response: JobDetail,
  errors: [404],
});

export const listJobTargets = defineRoute({
  id: 'listJobTargets',
  method: 'get',
  path: '/api/jobs/{jobId}/targets',
  summary: 'Per-target results of a job, a page at a time',
  tag: 'Jobs',
  access: { permission: 'job.view', scope: { kind: 'job', param: 'jobId' } },
  params: JobParams,
  query: pageQuery(['label', 'state'], 'label').extend({ state: JobTargetState.optional() }),
  response: pageOf(JobTarget),
  errors: [404],
});

export const cancelJob = defineRoute({
  id: 'cancelJob',
  method: 'post',
  path: '/api/jobs/{jobId}/cancel',
  summary: 'Cancel a job: targets not started are cancelled, those in flight finish',
  description:
    'A queued job is cancelled at once; a running one moves to `cancelling` until its targets in flight have finished. Cancelling a finished job answers 409.',
  tag: 'Jobs',
  access: { permission: 'job.cancel', scope: { kind: 'job', param: 'jobId' } },
  params: JobParams,
  response: JobSummary,
  errors: [404, 409],
});

export const jobRoutes = [listJobs, getJob, listJobTargets, cancelJob] as const;
