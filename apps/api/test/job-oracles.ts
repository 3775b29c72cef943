import { FINISHED_JOB_STATES, JobDetail, JobTarget, type JobState } from '@cockpit/contracts';
import type { FleetHost } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { until, type Call } from './sign-in.js';

/**
 * What the tests of durable jobs measure with, from outside Cockpit: the agents' own event
 * streams (followed directly, not through Cockpit), the agents' fault admin, and the job's REST
 * answers.
 */

/** One VM state change as the agent reported it (its own clock). */
export interface AgentChange {
  vmId: string;
  state: string;
  previous: string;
  reason: string;
  at: number;
}

/** Follows every host's event stream directly and records its VM state changes. */
export async function followAgents(hosts: readonly FleetHost[]) {
  const changes = new Map<string, AgentChange[]>(hosts.map((host) => [host.uuid, []]));
  const streams = await Promise.all(
    hosts.map(
      (host) =>
        new Promise<{ close(): void }>((resolve, reject) => {
          const client = new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
          client
            .events(
              {},
              {
                onControl: () => resolve(stream),
                onEvent: (event) => {
                  if (event.type !== 'vm.state') return;
                  changes.get(host.uuid)?.push({ ...event.data, at: Date.parse(event.ts) });
                },
                onClose: (error) => reject(error ?? new Error(`event stream of ${host.hostname} closed`)),
              },
            )
            .then((opened) => (stream = opened), reject);
          let stream: { close(): void } = { close: () => undefined };
        }),
    ),
  );
  return {
    /** Changes of one host since `from` (agent time), or of all hosts. */
    of: (hostUuid: string, from = 0) => (changes.get(hostUuid) ?? []).filter((change) => change.at >= from),
    all: (from = 0) => [...changes.values()].flat().filter((change) => change.at >= from),
    close: () => streams.forEach((stream) => stream.close()),
  };
}

/** The agent's fault admin for one host (POST /hosts/<uuid>/faults); answers the host's faults. */
export async function fault(adminPort: number, host: FleetHost, body: Record<string, unknown>): Promise<AgentFaults> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/hosts/${host.uuid}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`fault admin answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as AgentFaults;
}

export interface AgentFaults {
  nextRequests: { routeId: string | null; remaining: number; delayMs: number } | null;
}

/** So many that the rule never runs out during a test: what is left says how many requests came in. */
export const COUNTING = 100_000;

/**
 * Every `actOnVm` request to the host waits `delayMs` at the agent before it runs, and is counted:
 * `actionsReceived` then says how many action requests reached the agent (refused ones included).
 */
export async function slowActions(adminPort: number, host: FleetHost, delayMs: number): Promise<void> {
  await fault(adminPort, host, { nextRequests: { count: COUNTING, delayMs, routeId: 'actOnVm' } });
}

export async function actionsReceived(adminPort: number, host: FleetHost): Promise<number> {
  const { nextRequests } = await fault(adminPort, host, {});
  if (!nextRequests) throw new Error('no counting rule on this host');
  return COUNTING - nextRequests.remaining;
}

/**
 * The most intervals open at one instant (half-open [start, end): one that ends when another
 * starts does not overlap it).
 */
export function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]) as [number, number][];
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

/**
 * A lower bound on how many action requests the agent held at once, from its own clock: each
 * request waited `delayMs` at the agent before its state change, so it was there during
 * [at - delayMs, at]; changes less than `delayMs` apart therefore overlapped there. (Later timers
 * only stretch those intervals, so this never counts an overlap that did not happen; 5 ms are
 * kept off for the clock's granularity.)
 */
export function agentConcurrency(changes: readonly AgentChange[], delayMs: number): number {
  const window = delayMs - 5;
  const times = changes.map((change) => change.at).sort((a, b) => a - b);
  let most = times.length ? 1 : 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[j] ?? 0) - (times[i] ?? 0) >= window) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** Every target of a job, all pages. */
export async function targetsOf(call: Call, jobId: string): Promise<JobTarget[]> {
  const items: JobTarget[] = [];
  let cursor: string | null = null;
  do {
    const answer = await call('GET', `/api/jobs/${jobId}/targets?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    if (answer.status !== 200) throw new Error(`targets of ${jobId} answered ${answer.status}`);
    const page = answer.json as { items: unknown[]; nextCursor: string | null };
    items.push(...page.items.map((item) => JobTarget.parse(item)));
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function jobOf(call: Call, jobId: string): Promise<JobDetail> {
  const answer = await call('GET', `/api/jobs/${jobId}`);
  if (answer.status !== 200) throw new Error(`job ${jobId} answered ${answer.status}`);
  return JobDetail.parse(answer.json);
}

/** Waits until the job has finished (succeeded, failed or cancelled) and answers it. */
export async function finished(call: Call, jobId: string, timeoutMs = 30_000): Promise<JobDetail> {
  let job: JobDetail | undefined;
  await until(
    async () => FINISHED_JOB_STATES.includes((job = await jobOf(call, jobId)).state),
    timeoutMs,
    `job ${jobId} finished`,
  );
  return job as JobDetail;
}

export const isFinished = (state: JobState) => FINISHED_JOB_STATES.includes(state);

/**
 * The most targets of one group (host) the job's own record had running at once: each target is
 * marked running before its step and finished after, so its [started, finished] holds its
 * request to the agent. An upper bound on what the agent saw.
 */
export function recordedConcurrency(targets: readonly JobTarget[]): Map<string, number> {
  const byGroup = new Map<string, [number, number][]>();
  for (const target of targets) {
    if (!target.startedAt || !target.finishedAt) continue;
    const group = target.group ?? '';
    (byGroup.get(group) ?? byGroup.set(group, []).get(group))?.push([
      Date.parse(target.startedAt),
      Date.parse(target.finishedAt),
    ]);
  }
  return new Map([...byGroup].map(([group, intervals]) => [group, maxOverlap(intervals)]));
}
