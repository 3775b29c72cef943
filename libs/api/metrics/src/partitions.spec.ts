import { describe, expect, it } from '@jest/globals';
import { partitionEnd, partitionFor, partitionsBetween } from './partitions.js';

describe('metrics partitions', () => {
  const at = new Date('2026-11-22T05:42:10Z');

  it('names raw partitions by hour, 1-minute by day and 1-hour by month (UTC)', () => {
    expect(partitionFor('host', 'raw', at)).toEqual({
      name: 'host_samples_p2026112205',
      from: new Date('2026-11-22T05:00:00Z'),
      to: new Date('2026-11-22T06:00:00Z'),
    });
    expect(partitionFor('vm', '1m', at).name).toBe('vm_samples_1m_p20261122');
    expect(partitionFor('vm', '1h', new Date('2026-12-31T23:59:59Z'))).toMatchObject({
      name: 'vm_samples_1h_p202612',
      to: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('reads a partition’s end back from its name, and ignores tables that are not its own', () => {
    expect(partitionEnd('host', 'raw', 'host_samples_p2026112205')).toEqual(new Date('2026-11-22T06:00:00Z'));
    expect(partitionEnd('host', '1m', 'host_samples_1m_p20261130')).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(partitionEnd('host', '1h', 'host_samples_1h_p202611')).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(partitionEnd('host', 'raw', 'host_samples_default')).toBeUndefined();
    expect(partitionEnd('host', 'raw', 'host_samples_1m_p20261122')).toBeUndefined();
  });

  it('lists every partition a range touches', () => {
    const names = partitionsBetween('host', 'raw', new Date('2026-11-22T23:30:00Z'), new Date('2026-11-23T01:10:00Z')).map(
      (p) => p.name,
    );
    expect(names).toEqual(['host_samples_p2026112223', 'host_samples_p2026112300', 'host_samples_p2026112301']);
  });
});
