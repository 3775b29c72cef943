export interface GroupedTarget {
  group: string | null;
}

export interface TargetRunnerLimits {
  /** At most this many targets of one group (say, VMs of one host) at once. */
  perGroup: number;
  /** At most this many targets of the whole job at once on this instance. */
  overall: number;
  /** Asked before each start: true stops starting new targets (cancel, shutdown); those in flight finish. */
  shouldStop(): boolean;
}

/**
 * Runs targets in their order under two limits (per group and overall), starting the next one of
 * a group as soon as one of that group finishes. Answers the targets it never started (after a
 * stop). `run` must not throw; a throw is a bug and stops the runner after the targets in flight.
 */
export async function runTargets<T extends GroupedTarget>(
  targets: readonly T[],
  limits: TargetRunnerLimits,
  run: (target: T) => Promise<void>,
): Promise<T[]> {
  const queues = new Map<string, T[]>();
  for (const target of targets) {
    const key = target.group ?? '';
    let queue = queues.get(key);
    if (!queue) queues.set(key, (queue = []));
    queue.push(target);
  }
  const active = new Map<string, number>();
  let inFlight = 0;
  let failure: unknown;
  const perGroup = Math.max(1, limits.perGroup);
  const overall = Math.max(1, limits.overall);

  return new Promise<T[]>((resolve, reject) => {
    const leftOver = () => [...queues.values()].flat();
    const settle = () => {
      if (inFlight > 0) return;
      if (failure !== undefined) reject(failure instanceof Error ? failure : new Error(String(failure)));
      else resolve(leftOver());
    };
    const fill = () => {
      if (failure === undefined && !limits.shouldStop()) {
        // Round-robin over groups, so one big host does not hold the others back.
        let started = true;
        while (started && inFlight < overall) {
          started = false;
          for (const [key, queue] of queues) {
            if (inFlight >= overall) break;
            if (!queue.length || (active.get(key) ?? 0) >= perGroup) continue;
            const target = queue.shift() as T;
            if (!queue.length) queues.delete(key);
            start(key, target);
            started = true;
          }
        }
      }
      settle();
    };
    const start = (key: string, target: T) => {
      inFlight++;
      active.set(key, (active.get(key) ?? 0) + 1);
      run(target)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          inFlight--;
          active.set(key, (active.get(key) ?? 1) - 1);
          fill();
        });
    };
    fill();
  });
}
