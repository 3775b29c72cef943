import { queryOptions } from '@tanstack/react-query';
import { getJob, listJobs, listJobTargets, type RouteQuery } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

export type JobListQuery = RouteQuery<typeof listJobs>;
export type JobTargetsQuery = RouteQuery<typeof listJobTargets>;

/** Every cached job list page, whatever its filters. */
export const JOB_LISTS_KEY = ['jobs', 'list'] as const;

export const jobsPageQuery = (query: JobListQuery = {}) =>
  queryOptions({
    queryKey: [...JOB_LISTS_KEY, query] as const,
    queryFn: ({ signal }) => callApi(listJobs, { signal, query }),
  });

/** How many of the user's running jobs the masthead shows (the count is the page's total). */
export const ACTIVE_JOBS_SHOWN = 10;

/**
 * The user's own jobs still queued, running or cancelling, newest first, for the masthead. It is
 * kept current by `job.progress` events (every job list page is invalidated by them), not polled.
 */
export const activeJobsQuery = () => jobsPageQuery({ active: 'true', mine: 'true', limit: ACTIVE_JOBS_SHOWN });

/** The job and its target pages share this prefix, so one invalidation refreshes both. */
export const jobKey = (jobId: string) => ['jobs', 'detail', jobId] as const;

export const jobQuery = (jobId: string) =>
  queryOptions({
    queryKey: jobKey(jobId),
    queryFn: ({ signal }) => callApi(getJob, { signal, params: { jobId } }),
  });

export const jobTargetsQuery = (jobId: string, query: JobTargetsQuery = {}) =>
  queryOptions({
    queryKey: [...jobKey(jobId), 'targets', query] as const,
    queryFn: ({ signal }) => callApi(listJobTargets, { signal, params: { jobId }, query }),
  });
