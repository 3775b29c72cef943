import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ForbiddenError, Route, type ParsedBody, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
import {
  cancelMigration,
  evacuateHost,
  getMigration,
  listMigrations,
  preflightMatrix,
  preflightMigration,
  rebalanceHosts,
  startMigration,
  startStorageMigration,
  updateMigration,
} from '@cockpit/contracts';
import { MigrationsService } from './migrations.service.js';
import { PlansService } from './plans.service.js';
import { StorageMoves } from './storage-moves.js';

function principalOf(request: RequestWithPrincipal) {
  if (!request.principal) throw new ForbiddenError('Sign in first');
  return request.principal;
}

/** Access is the guard's (each route's contract says on what); the target host's is the service's check. */
@Controller()
export class MigrationsController {
  constructor(
    private readonly migrations: MigrationsService,
    private readonly plans: PlansService,
    private readonly storage: StorageMoves,
  ) {}

  @Route(preflightMigration)
  preflight(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof preflightMigration>) {
    return this.migrations.preflight(principalOf(request).grants, body, body.options);
  }

  @Route(preflightMatrix)
  matrix(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof preflightMatrix>) {
    return this.migrations.matrix(principalOf(request), body);
  }

  @Route(startMigration)
  start(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof startMigration>) {
    return this.migrations.start(principalOf(request), body);
  }

  @Route(startStorageMigration)
  startStorage(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof startStorageMigration>) {
    return this.storage.start(principalOf(request), body);
  }

  @Route(listMigrations)
  list(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listMigrations>) {
    return this.migrations.page(principalOf(request).grants, query);
  }

  @Route(getMigration)
  get(@Param('migrationId') id: string) {
    return this.migrations.get(id);
  }

  @Route(cancelMigration)
  cancel(@Param('migrationId') id: string) {
    return this.migrations.cancel(id);
  }

  @Route(updateMigration)
  update(@Param('migrationId') id: string, @Body() body: ParsedBody<typeof updateMigration>) {
    return this.migrations.setBandwidth(id, body.maxBandwidthMBps);
  }

  @Route(evacuateHost)
  evacuate(@Req() request: RequestWithPrincipal, @Param('hostId') hostId: string, @Body() body: ParsedBody<typeof evacuateHost>) {
    return this.plans.evacuate(principalOf(request), hostId, body);
  }

  @Route(rebalanceHosts)
  rebalance(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof rebalanceHosts>) {
    return this.plans.rebalance(principalOf(request), body);
  }
}
