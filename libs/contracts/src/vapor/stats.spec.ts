import { describe, expect, it } from '@jest/globals';
import { VaporEvent } from './events.js';
import { checkStatsRows } from './stats.js';

const row = (vmId: string, extra: Record<string, unknown> = {}) => ({
  vmId,
  cpuPercent: 12.5,
  memoryUsedMiB: 512,
  diskReadBps: 1000,
  diskWriteBps: 0,
  netRxBps: 2 ** 52,
  netTxBps: 10,
  ...extra,
});
const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'] as const;
const { vmId: _, ...host } = row(ids[0]);

describe('stats rows from hosts are checked one by one', () => {
  it('keeps sane rows (the positive control)', () => {
    expect(checkStatsRows({ host, vms: [row(ids[0]), row(ids[1])] })).toEqual({
      host,
      vms: [row(ids[0]), row(ids[1])],
      rejected: [],
    });
  });

  it.each([
    ['cpuPercent', 1e300, 'too_large'],
    ['cpuPercent', 100.5, 'too_large'],
    ['cpuPercent', -0.1, 'negative'],
    ['cpuPercent', null, 'not_a_number'],
    ['memoryUsedMiB', 1e300, 'too_large'],
    ['memoryUsedMiB', 2 ** 31, 'too_large'],
    ['netRxBps', 2 ** 53, 'too_large'],
    ['netRxBps', JSON.parse('9007199254740993') as number, 'too_large'],
    ['diskReadBps', -5, 'negative'],
    ['diskWriteBps', Infinity, 'not_a_number'],
    ['diskWriteBps', NaN, 'not_a_number'],
    ['netTxBps', '10', 'not_a_number'],
    ['netTxBps', undefined, 'not_a_number'],
    ['vmId', 'not-a-uuid', 'invalid'],
  ])('drops only the row whose %s is %p (%s), keeping the other VM and the host', (field, value, reason) => {
    const result = checkStatsRows({ host, vms: [row(ids[0], { [field]: value }), row(ids[1])] });
    expect(result.host).toEqual(host);
    expect(result.vms).toEqual([row(ids[1])]);
    expect(result.rejected).toEqual([{ kind: 'vm', reason, field }]);
  });

  it('drops a bad host row on its own, and rows that are not objects, and repeats of one VM', () => {
    const result = checkStatsRows({ host: { ...host, cpuPercent: 1e300 }, vms: [row(ids[0]), 'x', null, row(ids[0])] });
    expect(result.host).toBeUndefined();
    expect(result.vms).toEqual([row(ids[0])]);
    expect(result.rejected).toEqual([
      { kind: 'host', reason: 'too_large', field: 'cpuPercent' },
      { kind: 'vm', reason: 'invalid', field: 'row' },
      { kind: 'vm', reason: 'invalid', field: 'row' },
      { kind: 'vm', reason: 'duplicate', field: 'vmId' },
    ]);
  });

  it('lets a frame with bad rows through the event contract (rows are judged later, not the frame)', () => {
    const frame = {
      seq: 1,
      ts: '2025-01-01T00:00:00.000Z',
      type: 'stats',
      data: { host: { cpuPercent: 1e300 }, vms: [row(ids[0], { memoryUsedMiB: -1 })], intervalMs: 5000 },
    };
    expect(VaporEvent.safeParse(frame).success).toBe(true);
    expect(VaporEvent.safeParse({ ...frame, data: { ...frame.data, intervalMs: 1e300 } }).success).toBe(false);
  });
});
