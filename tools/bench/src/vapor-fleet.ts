/**
 * bench:vapor-fleet — one Vapor process simulating 500 hosts x 20 VMs, with every host's event
 * stream followed (as Cockpit will), stats every 5 s. Measures the fleet process's CPU (share of
 * one core) and resident memory over a window, and the same for a baseline measured in the same
 * run: the same 500 hosts and followers with no VMs, so the ratio is what simulating and streaming
 * 10,000 VMs costs on top of serving 500 hosts. Target: under 50% of one core.
 *
 * Usage: npm run bench:vapor-fleet [-- --seconds 30 --hosts 500 --vms-per-host 20]
 * Last line: {"bench":"vapor-fleet","hosts":500,"vms":10000,"cpu_pct_of_one_core":…,"rss_mb":…,…}
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FleetManifest } from '@cockpit/vapor-agent';
import { VaporClient } from '@cockpit/vapor-client';
import { cpuSeconds, round, rssMb } from './proc.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    hosts: { type: 'string', default: '500' },
    'vms-per-host': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '8' },
  },
});
const seconds = Number(values.seconds);
const hosts = Number(values.hosts);
const vmsPerHost = Number(values['vms-per-host']);
const warmup = Number(values.warmup);

interface Measurement {
  cpuPct: number;
  rssMb: number;
  frames: number;
  statsFrames: number;
}

async function measure(vms: number): Promise<Measurement> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-vapor-fleet-'));
  const child = fork(
    path.join(ROOT, 'apps/vapor/dist/main.js'),
    [
      'fleet',
      '--hosts',
      String(hosts),
      '--vms-per-host',
      String(vms),
      '--port',
      '0',
      '--seed',
      '42',
      '--data-dir',
      dir,
      '--stats-interval-ms',
      '5000',
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  try {
    const manifest = await new Promise<FleetManifest>((resolve, reject) => {
      child.once('message', (message: { type: string; manifest: FleetManifest }) => resolve(message.manifest));
      child.once('exit', (code) => reject(new Error(`fleet exited with ${code}`)));
    });
    let frames = 0;
    let statsFrames = 0;
    const streams = await Promise.all(
      manifest.hosts.map((host) =>
        new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }).events(
          {},
          {
            onControl: () => undefined,
            onEvent: (event) => {
              frames += 1;
              if (event.type === 'stats') statsFrames += 1;
            },
            onClose: () => undefined,
          },
        ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
    const pid = child.pid ?? 0;
    const [cpu0, t0, frames0, stats0] = [await cpuSeconds(pid), performance.now(), frames, statsFrames];
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const [cpu1, t1] = [await cpuSeconds(pid), performance.now()];
    const result = {
      cpuPct: ((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 100,
      rssMb: await rssMb(pid),
      frames: frames - frames0,
      statsFrames: statsFrames - stats0,
    };
    for (const stream of streams) stream.close();
    return result;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`vapor-fleet: ${hosts} hosts, measuring ${seconds} s after ${warmup} s warm-up\n`);
const baseline = await measure(0);
process.stdout.write(
  `baseline (${hosts} hosts, no VMs, ${hosts} event followers): ${round(baseline.cpuPct)}% of one core, ${round(baseline.rssMb)} MB RSS\n`,
);
const full = await measure(vmsPerHost);
const ratio = baseline.cpuPct > 0 ? full.cpuPct / baseline.cpuPct : 0;
process.stdout.write(
  `fleet (${hosts} hosts x ${vmsPerHost} VMs): ${round(full.cpuPct)}% of one core, ${round(full.rssMb)} MB RSS, ` +
    `${full.statsFrames} stats frames (${round(full.statsFrames / seconds)}/s) streamed; ${round(ratio)}x the baseline CPU\n`,
);
process.stdout.write(
  `${JSON.stringify({
    bench: 'vapor-fleet',
    hosts,
    vms: hosts * vmsPerHost,
    cpu_pct_of_one_core: round(full.cpuPct),
    rss_mb: round(full.rssMb),
    stats_frames_per_s: round(full.statsFrames / seconds),
    baseline_cpu_pct: round(baseline.cpuPct),
    ratio_to_baseline: round(ratio),
    seconds,
  })}\n`,
);
