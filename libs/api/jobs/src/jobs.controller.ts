import { Controller, Param, Query, Req } from '@nestjs/common';
import { ForbiddenError, Route, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
import { cancelJob, getJob, listJobs, listJobTargets } from '@cockpit/contracts';
import { JobsService } from './jobs.service.js';

/** Access is the guard's (a job sits in its targets' scope; its actor may always see it). */
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Route(listJobs)
  list(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listJobs>) {
    if (!request.principal) throw new ForbiddenError('Sign in first');
    return this.jobs.page(request.principal, query);
  }

  @Route(getJob)
  get(@Param('jobId') jobId: string) {
    return this.jobs.get(jobId);
  }

  @Route(listJobTargets)
  targets(@Param('jobId') jobId: string, @Query() query: ParsedQuery<typeof listJobTargets>) {
    return this.jobs.targetsPage(jobId, query);
  }

  @Route(cancelJob)
  cancel(@Param('jobId') jobId: string) {
    return this.jobs.cancel(jobId);
  }
}
