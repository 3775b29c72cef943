import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startTestApi, type TestApi } from '../test/test-app.js';

const docker = path.join(import.meta.dirname, '../../../docker');

/** Every metric name a Prometheus text exposition defines (histogram and summary series included). */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typed?.[1]) {
      names.add(typed[1]);
      if (typed[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(typed[1] + suffix);
      if (typed[2] === 'summary') for (const suffix of ['_sum', '_count']) names.add(typed[1] + suffix);
    } else if (line && !line.startsWith('#')) names.add(line.split(/[{ ]/)[0] ?? '');
  }
  return names;
}

describe('/metrics names, and the Grafana dashboard and Prometheus example in docker/', () => {
  let api: TestApi;
  let names: Set<string>;
  beforeAll(async () => {
    api = await startTestApi();
    await fetch(`${api.url}/api/info`); // one timed request
    names = exposedNames(await (await fetch(`${api.url}/metrics`)).text());
  });
  afterAll(async () => {
    await api.close();
  });

  it("keeps Prometheus' standard process_* and nodejs_* names and names everything else cockpit_*", () => {
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('process_resident_memory_bytes');
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(names).toContain('cockpit_http_request_duration_seconds_bucket');
    expect(names).toContain('cockpit_collector_hosts_owned');
    expect(names).toContain('cockpit_metrics_samples_written_total');
    expect([...names].filter((name) => !/^(process_|nodejs_|cockpit_)/.test(name))).toEqual([]);
    expect([...names].filter((name) => /^cockpit_(process|nodejs)_/.test(name))).toEqual([]);
  });

  it('ships a dashboard whose every query uses only metric names the api exposes', () => {
    const dashboard = JSON.parse(readFileSync(path.join(docker, 'grafana/cockpit-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const used = exprs.map((expr) => ({ expr, metrics: expr.match(/\b(?:process|nodejs|cockpit)_[a-z0-9_]+/g) ?? [] }));
    // Every query reads at least one of our metrics, and none a name the api does not expose.
    expect(used.filter((u) => u.metrics.length === 0).map((u) => u.expr)).toEqual([]);
    expect(used.flatMap((u) => u.metrics).filter((metric) => !names.has(metric))).toEqual([]);
  });

  it('ships a Prometheus scrape example for both api instances of compose.yaml', () => {
    const compose = parse(readFileSync(path.join(docker, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { image?: string; environment?: Record<string, string> }>;
    };
    const apis = Object.entries(compose.services).filter(([, service]) => service.image === 'cockpit-api');
    const prometheus = parse(readFileSync(path.join(docker, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs.find((config) => config.job_name === 'cockpit-api');
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = job?.static_configs.flatMap((config) => config.targets).sort();
    expect(targets).toEqual(apis.map(([name, service]) => `${name}:${service.environment?.['PORT'] ?? '8080'}`).sort());
  });
});
