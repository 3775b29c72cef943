import { describe, expect, it } from '@jest/globals';
import { Counter } from 'prom-client';
import { MetricsService } from './metrics.service.js';

describe('the api metrics registry', () => {
  it("keeps Prometheus' standard names for process and Node.js metrics and cockpit_* for ours", async () => {
    const { registry } = new MetricsService();
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
    // What stock Node.js dashboards query:
    for (const standard of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ])
      expect(names).toContain(standard);
    expect(names).toContain('cockpit_http_request_duration_seconds');
    expect(names.filter((name) => !/^(process|nodejs)_/.test(name) && !name.startsWith('cockpit_'))).toEqual([]);
    expect(names.some((name) => name.startsWith('cockpit_process_') || name.startsWith('cockpit_nodejs_'))).toBe(false);
  });

  it('refuses a metric of ours that is not named cockpit_*, and takes one that is', () => {
    const { registry } = new MetricsService();
    expect(() => new Counter({ name: 'samples_written_total', help: 'x', registers: [registry] })).toThrow(/cockpit_\*/);
    expect(() => new Counter({ name: 'cockpit_samples_written_total', help: 'x', registers: [registry] })).not.toThrow();
    expect(registry.getSingleMetric('cockpit_samples_written_total')).toBeDefined();
  });
});
