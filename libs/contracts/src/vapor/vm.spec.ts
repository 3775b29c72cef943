import { describe, expect, it } from '@jest/globals';
import { parseContract } from '../text.js';
import { IncomingMigrationRequest } from './jobs.js';
import { BootOrder, planVmUpdate, VaporSnapshotCreate, Vm, VmCreate, VmUpdate, VM_LIVE_UPDATABLE, VM_NEXT_BOOT } from './vm.js';

/** A VM as an agent from before issue 12 sends it: no autostart, bootOrder, pendingChanges or snapshotCount. */
const olderVm = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'old',
  state: 'running',
  vcpus: 2,
  memoryMiB: 1024,
  cpu: { model: 'host-model', features: [] },
  disks: [],
  nics: [],
  generation: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('the Vapor VM contract', () => {
  it('still takes a VM from an older agent, filling the new fields with their defaults', () => {
    const parsed = parseContract(Vm, olderVm);
    expect(parsed.success && parsed.data).toMatchObject({
      autostart: false,
      bootOrder: ['disk', 'network'],
      pendingChanges: {},
      snapshotCount: 0,
    });
    const incoming = IncomingMigrationRequest.parse({
      vm: olderVm,
      options: { live: true },
      sourceHostUuid: '00000000-0000-4000-8000-000000000002',
    });
    expect(incoming.snapshots).toEqual([]);
  });

  it('takes a boot order naming each device at most once', () => {
    expect(BootOrder.safeParse(['cdrom', 'disk']).success).toBe(true);
    expect(BootOrder.safeParse(['disk', 'disk']).error?.issues[0]?.message).toBe('name each boot device at most once');
    expect(BootOrder.safeParse([]).success).toBe(false);
    expect(BootOrder.safeParse(['floppy']).success).toBe(false);
    expect(VmCreate.parse({ name: 'x', vcpus: 1, memoryMiB: 256 })).toMatchObject({
      autostart: false,
      bootOrder: ['disk', 'network'],
    });
    expect(VmUpdate.safeParse({}).success).toBe(false);
    expect(VmUpdate.safeParse({ discardPendingChanges: false }).success).toBe(false);
  });

  it('says which fields of an update a VM takes now and which at its next cold start', () => {
    const update = {
      name: 'renamed',
      vcpus: 4,
      memoryMiB: 2048,
      bootOrder: ['network' as const],
      autostart: true,
      removeDisks: ['vdb'],
    };
    expect(planVmUpdate(update, 'running')).toEqual({
      now: ['name', 'memoryMiB', 'autostart'],
      nextBoot: ['vcpus', 'bootOrder', 'removeDisks'],
    });
    expect(planVmUpdate(update, 'paused').nextBoot).toEqual(['vcpus', 'bootOrder', 'removeDisks']);
    expect(planVmUpdate(update, 'shutoff')).toEqual({ now: Object.keys(update), nextBoot: [] });
    expect(planVmUpdate({ vcpus: undefined, name: 'x' }, 'running')).toEqual({ now: ['name'], nextBoot: [] });
    // Every field of VmUpdate is one or the other.
    const fields = Object.keys(VmUpdate.shape).sort();
    expect([...VM_LIVE_UPDATABLE, ...VM_NEXT_BOOT].sort()).toEqual(fields);
  });

  it('asks a snapshot for a name and whether to keep memory', () => {
    expect(VaporSnapshotCreate.parse({ name: 'before-upgrade', memory: true })).toEqual({
      name: 'before-upgrade',
      description: '',
      memory: true,
    });
    expect(VaporSnapshotCreate.safeParse({ name: 'x' }).success).toBe(false);
    expect(VaporSnapshotCreate.safeParse({ name: 'bad name', memory: false }).success).toBe(false);
  });
});
