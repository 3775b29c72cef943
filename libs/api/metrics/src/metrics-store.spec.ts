import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import type { MetricsService } from '@cockpit/api-system';
import { MetricsStore } from './metrics-store.service.js';
import type { Sample } from './sample.js';

const sample = (extra: Partial<Sample> = {}): Sample => ({
  id: '00000000-0000-4000-8000-000000000001',
  ts: new Date(),
  cpuPercent: 10,
  memoryUsedMiB: 100,
  diskReadBps: 0,
  diskWriteBps: 0,
  netRxBps: 0,
  netTxBps: 0,
  ...extra,
});

describe('MetricsStore.record', () => {
  it('buffers storable samples and drops (and counts) those no real column or rollup can take', async () => {
    const registry = new Registry();
    const store = new MetricsStore({} as DataSource, {} as AppConfig, { registry } as MetricsService);
    store.record('vm', [
      sample(),
      sample({ cpuPercent: NaN }),
      sample({ memoryUsedMiB: 1e300 }),
      sample({ netRxBps: -1 }),
      sample({ diskReadBps: Infinity }),
      sample({ ts: new Date(NaN) }),
      sample({ id: "x'; DROP TABLE vm_samples; --" }),
      sample({ netTxBps: 2 ** 52 }),
    ]);
    expect(store.pending()).toBe(2);
    const counter = (await registry.getSingleMetric('cockpit_stats_rows_rejected_total')?.get())?.values;
    expect(counter).toEqual([{ labels: { kind: 'vm', reason: 'unstorable' }, value: 6 }]);
    store.reject('host', 'too_large');
    expect(await registry.getSingleMetricAsString('cockpit_stats_rows_rejected_total')).toContain(
      'cockpit_stats_rows_rejected_total{kind="host",reason="too_large"} 1',
    );
  });
});
