import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, type Principal } from '@cockpit/api-core';
import { InventoryService, type HostCapacity } from '@cockpit/api-hosts';
import { JobsService } from '@cockpit/api-jobs';
import {
  hostScopeChain,
  isAllowed,
  type JobSummary,
  type MigrateOptions,
  type MovePlan,
  type Preflight,
} from '@cockpit/contracts';
import { MigrationsService } from './migrations.service.js';
import { planEvacuation, planRebalance, type CheckMove, type PlanHost } from './planner.js';

export interface PlanAnswer {
  plan: MovePlan;
  job: JobSummary | null;
  migrations: string[];
}

/**
 * Evacuation and rebalancing: a plan of moves from the inventory and each move's pre-flight
 * checks (a dry run answers it), then, asked to, one job that runs them within the limits.
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly migrations: MigrationsService,
    private readonly jobs: JobsService,
  ) {}

  async evacuate(
    principal: Principal,
    hostId: string,
    body: { dryRun: boolean; targetHostIds?: string[]; options: MigrateOptions },
  ): Promise<PlanAnswer> {
    const capacities = await this.inventory.capacities();
    const source = capacities.find((host) => host.hostId === hostId);
    if (!source) throw new NotFoundError(`No host ${hostId}`);
    const candidates = capacities.filter(
      (host) =>
        host.hostId !== hostId &&
        (!body.targetHostIds || body.targetHostIds.includes(host.hostId)) &&
        isAllowed(principal.grants, 'vm.migrate', hostScopeChain(host.hostId)),
    );
    const hosts = await this.planHosts([source, ...candidates]);
    const [sourceHost, ...targets] = hosts as [PlanHost, ...PlanHost[]];
    if (!sourceHost.vms.length) throw new ConflictError(`${source.name} has no VMs to move`);
    const plan = await planEvacuation(sourceHost, targets, await this.checker(principal, body.options, capacities));
    return this.answer(
      principal,
      plan,
      body.options,
      body.dryRun,
      'evacuation',
      `Evacuate ${source.name} (${plan.moves.length} VMs)`,
    );
  }

  async rebalance(
    principal: Principal,
    body: { hostIds: string[]; dryRun: boolean; maxMoves: number; options: MigrateOptions },
  ): Promise<PlanAnswer> {
    const capacities = await this.inventory.capacities();
    const wanted = new Set(body.hostIds);
    const chosen = capacities.filter(
      (host) => wanted.has(host.hostId) && isAllowed(principal.grants, 'host.view', hostScopeChain(host.hostId)),
    );
    if (chosen.length < wanted.size)
      throw new NotFoundError(`No host ${body.hostIds.find((id) => !chosen.some((host) => host.hostId === id))}`);
    const hosts = await this.planHosts(chosen);
    const plan = await planRebalance(hosts, await this.checker(principal, body.options, capacities), body.maxMoves);
    return this.answer(
      principal,
      plan,
      body.options,
      body.dryRun,
      'rebalance',
      `Rebalance ${chosen.length} hosts (${plan.moves.length} moves)`,
    );
  }

  private async planHosts(capacities: readonly HostCapacity[]): Promise<PlanHost[]> {
    const vms = await this.inventory.vmsOn(capacities.map((host) => host.hostId));
    return capacities.map((capacity) => ({ capacity, vms: vms.filter((vm) => vm.hostId === capacity.hostId) }));
  }

  private async checker(principal: Principal, options: MigrateOptions, capacities: readonly HostCapacity[]): Promise<CheckMove> {
    const hosts = new Map(capacities.map((host) => [host.hostId, host]));
    const underWay = await this.migrations.underWay();
    return (vm, target, plannedInboundMiB) =>
      this.migrations.preflight(principal.grants, { vmId: vm.id, targetHostId: target.hostId }, options, {
        vm,
        hosts,
        underWay,
        extraInboundMiB: plannedInboundMiB,
      });
  }

  private async answer(
    principal: Principal,
    plan: MovePlan,
    options: MigrateOptions,
    dryRun: boolean,
    origin: 'evacuation' | 'rebalance',
    title: string,
  ): Promise<PlanAnswer> {
    if (dryRun || !plan.moves.length) return { plan, job: null, migrations: [] };
    const checks: Preflight[] = [];
    const hosts = new Map((await this.inventory.capacities()).map((host) => [host.hostId, host]));
    for (const move of plan.moves)
      checks.push(
        await this.migrations.preflight(principal.grants, { vmId: move.vmId, targetHostId: move.target.id }, options, { hosts }),
      );
    // Each move is checked again when it starts (with what moved before it there by then).
    const ids = await this.migrations.submit(principal, checks, origin, title);
    const first = await this.migrations.get(ids[0] as string);
    return { plan, job: await this.jobs.get(first.jobId), migrations: ids };
  }
}
