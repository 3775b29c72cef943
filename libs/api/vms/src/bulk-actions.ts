import { Injectable } from '@nestjs/common';
import { AccessService } from '@cockpit/api-access';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  HostTimeoutError,
  HostUnavailableError,
  NotFoundError,
  type Principal,
} from '@cockpit/api-core';
import { agentError, HostConnections, InventoryService, type VmRef } from '@cockpit/api-hosts';
import {
  JobEngine,
  JobsService,
  type JobHandler,
  type JobTargetRef,
  type TargetContext,
  type TargetOutcome,
} from '@cockpit/api-jobs';
import {
  MAX_BULK_VMS,
  VM_ACTION_LABEL,
  type BulkVmActionBody,
  type JobSummary,
  type ScopePath,
  type VmAction,
} from '@cockpit/contracts';
import type { VaporClient } from '@cockpit/vapor-client';
import { ACTION_RESULT, VmsService } from './vms.service.js';

export const BULK_KIND = 'vm.bulk-action';

/** How long a job step reuses its host's connection details. */
const HOST_CACHE_MS = 2000;

export interface BulkParams extends Record<string, unknown> {
  action: VmAction;
  perHost: number;
  timeoutSeconds: number;
}

const names = (refs: readonly { name: string }[]) =>
  `${refs
    .slice(0, 10)
    .map((ref) => ref.name)
    .join(', ')}${refs.length > 10 ? ` and ${refs.length - 10} more` : ''}`;

/**
 * One action on many VMs as a durable job: selected by ids (all allowed, or nothing runs) or by
 * the list's filter (those the caller may power), at most `perHost` at once per host. A VM already
 * in the wanted state succeeds as such; a step in flight when its instance died is settled by
 * reading the VM's true state, not by acting again.
 */
@Injectable()
export class BulkVmActions implements JobHandler<BulkParams> {
  readonly kind = BULK_KIND;
  private readonly clients = new Map<string, { host: { name: string }; client: VaporClient; until: number }>();
  /** VMs read for targets about to run, per run of a job (gone with it). */
  private readonly prepared = new WeakMap<TargetContext<BulkParams>, Map<string, VmRef>>();

  constructor(
    private readonly inventory: InventoryService,
    private readonly vms: VmsService,
    private readonly connections: HostConnections,
    private readonly jobs: JobsService,
    engine: JobEngine,
  ) {
    engine.register(this);
  }

  async submit(principal: Principal, body: BulkVmActionBody & { perHost: number; timeoutSeconds: number }): Promise<JobSummary> {
    const powerable = AccessService.visibility(principal.grants, 'vm.power');
    let targets: VmRef[];
    if (body.vmIds) {
      const ids = [...new Set(body.vmIds)];
      const viewable = AccessService.visibility(principal.grants, 'vm.view');
      const found = await this.inventory.vmRefs({ ids, visible: viewable }, MAX_BULK_VMS);
      const foundIds = new Set(found.map((vm) => vm.id));
      const missing = ids.filter((id) => !foundIds.has(id));
      if (missing.length)
        throw new NotFoundError(
          `No VM ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}: nothing was done`,
        );
      const allowed = new Set((await this.inventory.vmRefs({ ids, visible: powerable }, MAX_BULK_VMS)).map((vm) => vm.id));
      const refused = found.filter((vm) => !allowed.has(vm.id));
      if (refused.length) throw new ForbiddenError(`You need the vm.power permission on ${names(refused)}: nothing was done`);
      targets = found;
    } else {
      const filter = body.filter ?? {};
      targets = await this.inventory.vmRefs({ ...filter, visible: powerable }, MAX_BULK_VMS + 1);
      if (targets.length > MAX_BULK_VMS)
        throw new ConflictError(`The filter selects more than ${MAX_BULK_VMS} VMs: narrow it (by host, state or name)`);
      if (!targets.length) throw new ConflictError('The filter selects no VM on which you may do this: nothing was done');
    }
    return this.jobs.submit({
      kind: BULK_KIND,
      title: `${VM_ACTION_LABEL[body.action]} ${targets.length} VM${targets.length === 1 ? '' : 's'}`,
      scope: scopeOf(targets),
      actor: { id: principal.userId, name: principal.name },
      params: { action: body.action, perHost: body.perHost, timeoutSeconds: body.timeoutSeconds } satisfies BulkParams,
      targets: targets.map((vm) => ({ targetId: vm.id, label: vm.name, group: vm.hostId })),
    });
  }

  /**
   * A host's connection for a couple of seconds: a job sends its host many actions in a row, and
   * reading the host's row (and opening its token) for each is most of the work of a step. A host
   * re-pinned meanwhile fails closed (the old pin refuses it); one removed has no VMs left to act on.
   */
  private async clientFor(hostId: string): Promise<{ host: { name: string }; client: VaporClient }> {
    const cached = this.clients.get(hostId);
    if (cached && cached.until > Date.now()) return cached;
    const { host, client } = await this.connections.clientFor(hostId);
    const fresh = { host: { name: host.name }, client, until: Date.now() + HOST_CACHE_MS };
    this.clients.set(hostId, fresh);
    return fresh;
  }

  /** The VMs of targets starting together, in one read. */
  async prepare(targets: readonly JobTargetRef[], context: TargetContext<BulkParams>): Promise<void> {
    const refs = await this.inventory.vmRefs({ ids: targets.map((target) => target.targetId) }, targets.length);
    let known = this.prepared.get(context);
    if (!known) this.prepared.set(context, (known = new Map()));
    for (const ref of refs) known.set(ref.id, ref);
  }

  perGroup(params: BulkParams): number {
    return params.perHost;
  }

  async run(target: JobTargetRef, context: TargetContext<BulkParams>): Promise<TargetOutcome> {
    const { action } = context.params;
    const wanted = ACTION_RESULT[action];
    try {
      if (action === 'shutdown') {
        const vm = await this.inventory.getVm(target.targetId);
        if (vm.state === 'shutoff') return { state: 'succeeded', message: 'already shutoff' };
        // The guest takes its time: VmsService waits for it (or fails after the timeout).
        const after = await this.vms.act(target.targetId, action, {
          timeoutSeconds: context.params.timeoutSeconds,
          signal: context.signal,
        });
        return { state: 'succeeded', message: `${after.state} on ${after.hostName}` };
      }
      // Thousands of these run per job: the VM as read for its batch (prepare), and one request to the host.
      const known = this.prepared.get(context);
      const vm = known?.get(target.targetId) ?? (await this.inventory.vmRefs({ ids: [target.targetId] }, 1))[0];
      known?.delete(target.targetId);
      if (!vm) throw new NotFoundError(`No VM ${target.targetId}: it was deleted`);
      if (wanted && vm.state === wanted) return { state: 'succeeded', message: `already ${wanted}` };
      const { host, client } = await this.clientFor(vm.hostId);
      try {
        const after = await client.act(vm.id, action).catch((error: unknown) => {
          throw agentError(host.name, error);
        });
        // The inventory follows from the host's own event (the collector applies it within
        // milliseconds): writing the answer here too would race the collector for the same rows.
        return { state: 'succeeded', message: `${after.state} on ${host.name}` };
      } catch (error) {
        // The host went away mid-action: read the VM's true state again, never guess it.
        if (error instanceof HostUnavailableError || error instanceof HostTimeoutError) {
          this.clients.delete(vm.hostId);
          await this.vms.reread(await this.inventory.getVm(vm.id));
        }
        // Refused by the state: if the host says it is already as wanted (the inventory lagged), so be it.
        if (error instanceof ConflictError && wanted) {
          const now = await client.getVm(vm.id).catch(() => undefined);
          if (now?.state === wanted) {
            await this.inventory.setVmStates(vm.hostId, [{ vmId: vm.id, state: now.state, generation: now.generation }]);
            return { state: 'succeeded', message: `already ${wanted}` };
          }
        }
        throw error;
      }
    } catch (error) {
      return { state: 'failed', message: error instanceof DomainError || error instanceof Error ? error.message : String(error) };
    }
  }

  /** After a takeover: the VM's true state says whether the step happened; if it provably did not, it runs. */
  async reconcile(target: JobTargetRef, context: TargetContext<BulkParams>): Promise<TargetOutcome | 'retry'> {
    const wanted = ACTION_RESULT[context.params.action];
    const known = await this.inventory.getVm(target.targetId).catch(() => undefined);
    if (!known) return { state: 'failed', message: 'The VM is gone' };
    const vm = await this.vms.reread(known);
    if (!vm) return { state: 'failed', message: `Its host ${known.hostName} cannot be reached to tell whether it happened` };
    if (!wanted)
      return {
        state: 'skipped',
        message: `Interrupted mid-${context.params.action}: whether it happened is unknown (the VM is ${vm.state})`,
      };
    if (vm.state === wanted)
      return { state: 'succeeded', message: `${wanted} (confirmed after the job moved to another instance)` };
    return 'retry';
  }
}

/** The narrowest scope holding every target: one VM, one host, or everything. */
function scopeOf(targets: readonly VmRef[]): ScopePath {
  const [first] = targets;
  if (targets.length === 1 && first) return `/vms/${first.id}`;
  const hosts = new Set(targets.map((vm) => vm.hostId));
  const [host] = hosts;
  return hosts.size === 1 && host ? `/hosts/${host}` : '/';
}
