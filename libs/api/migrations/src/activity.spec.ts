import { describe, expect, it } from '@jest/globals';
import { activityFrom, type UnderWay } from './migration-store.js';

const row = (id: string, extra: Partial<UnderWay>): UnderWay => ({
  id,
  vmId: `vm-${id}`,
  sourceHostId: 'a',
  targetHostId: 'b',
  type: 'shared-storage',
  state: 'running',
  memoryMiB: 1024,
  ...extra,
});

describe('activity around a move, counted from the migrations under way', () => {
  it('counts running compute moves per source, target and fleet, memory heading to the target, and the VM itself', () => {
    const rows = [
      row('1', {}),
      row('2', { state: 'queued' }),
      row('3', { sourceHostId: 'c', targetHostId: 'b', state: 'completing' }),
      row('4', { type: 'storage', sourceHostId: 'a', targetHostId: 'a' }),
      row('5', { type: 'offline', targetHostId: 'b' }),
      row('6', { vmId: 'mine', sourceHostId: 'x', targetHostId: 'y', state: 'queued' }),
    ];
    expect(activityFrom(rows, { vmId: 'mine', sourceHostId: 'a', targetHostId: 'b' })).toEqual({
      outbound: 2, // 1 and 5 (2 is queued, 4 is storage)
      inbound: 3, // 1, 3, 5
      fleet: 3,
      inboundMemoryMiB: 2048, // 1 and 2 (3 is switching over, 5 is offline)
      vmBusy: true,
    });
    expect(activityFrom(rows, { vmId: 'mine', sourceHostId: 'a', targetHostId: 'b', self: '6' }).vmBusy).toBe(false);
  });
});
