import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry, type Metric } from 'prom-client';

/** Every metric of our own is named so; process and Node.js metrics keep Prometheus' standard names. */
export const METRIC_PREFIX = 'cockpit_';

/**
 * The api's Prometheus registry; feature modules register their own collectors on it.
 * prom-client's default metrics keep their standard names (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, ...), so stock dashboards and
 * alerts work; everything registered after them must be named `cockpit_*`, or registering throws.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const register = this.registry.registerMetric.bind(this.registry);
    this.registry.registerMetric = (metric: Metric) => {
      const { name } = metric as unknown as { name: string };
      if (!name.startsWith(METRIC_PREFIX))
        throw new Error(`Metric ${name}: name our own metrics ${METRIC_PREFIX}* (process_* and nodejs_* are the standard ones)`);
      register(metric);
    };
    this.httpDuration = new Histogram({
      name: 'cockpit_http_request_duration_seconds',
      help: 'Duration of HTTP requests answered by the api, by route template',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}
