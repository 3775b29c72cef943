import { Body, Controller, Headers, Param, Query, Req } from '@nestjs/common';
import {
  ForbiddenError,
  parseIfMatch,
  Route,
  type ParsedBody,
  type ParsedQuery,
  type RequestWithPrincipal,
} from '@cockpit/api-core';
import {
  actOnVm,
  bulkVmActions,
  createVm,
  createVmSnapshot,
  deleteVm,
  deleteVmSnapshot,
  listVmSnapshots,
  revertVmSnapshot,
  updateVm,
} from '@cockpit/contracts';
import { BulkVmActions } from './bulk-actions.js';
import { VmsService } from './vms.service.js';

function principalOf(request: RequestWithPrincipal) {
  if (!request.principal) throw new ForbiddenError('Sign in first');
  return request.principal;
}

/** Access is the guard's (each route's contract says on what); If-Match is passed to the VM's host. */
@Controller()
export class VmActionsController {
  constructor(
    private readonly vms: VmsService,
    private readonly bulk: BulkVmActions,
  ) {}

  @Route(createVm)
  create(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof createVm>) {
    return this.vms.create(principalOf(request), body);
  }

  @Route(updateVm)
  update(@Param('vmId') vmId: string, @Body() body: ParsedBody<typeof updateVm>, @Headers('if-match') ifMatch?: string) {
    return this.vms.update(vmId, body, parseIfMatch(ifMatch));
  }

  @Route(deleteVm)
  remove(@Param('vmId') vmId: string, @Query() query: ParsedQuery<typeof deleteVm>, @Headers('if-match') ifMatch?: string) {
    return this.vms.remove(vmId, query.keepDisks, parseIfMatch(ifMatch));
  }

  @Route(actOnVm)
  async act(@Param('vmId') vmId: string, @Body() body: ParsedBody<typeof actOnVm>, @Headers('if-match') ifMatch?: string) {
    const vm = await this.vms.act(vmId, body.action, { timeoutSeconds: body.timeoutSeconds, generation: parseIfMatch(ifMatch) });
    return { vmId, state: vm.state, generation: vm.generation, vm };
  }

  @Route(bulkVmActions)
  bulkAct(@Req() request: RequestWithPrincipal, @Body() body: ParsedBody<typeof bulkVmActions>) {
    return this.bulk.submit(principalOf(request), body);
  }

  @Route(listVmSnapshots)
  async snapshots(@Param('vmId') vmId: string) {
    const items = await this.vms.snapshots(vmId);
    return { items, total: items.length, nextCursor: null };
  }

  @Route(createVmSnapshot)
  snapshot(
    @Param('vmId') vmId: string,
    @Body() body: ParsedBody<typeof createVmSnapshot>,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.vms.createSnapshot(vmId, body, parseIfMatch(ifMatch));
  }

  @Route(revertVmSnapshot)
  revert(@Param('vmId') vmId: string, @Param('snapshotId') snapshotId: string, @Headers('if-match') ifMatch?: string) {
    return this.vms.revertSnapshot(vmId, snapshotId, parseIfMatch(ifMatch));
  }

  @Route(deleteVmSnapshot)
  removeSnapshot(@Param('vmId') vmId: string, @Param('snapshotId') snapshotId: string, @Headers('if-match') ifMatch?: string) {
    return this.vms.deleteSnapshot(vmId, snapshotId, parseIfMatch(ifMatch));
  }
}
