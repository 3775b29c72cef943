import { describe, expect, it } from '@jest/globals';
import { runTargets } from './target-runner.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Targets that finish when told to, recording how many of each group ran at once. */
function harness(groups: readonly string[]) {
  const targets = groups.map((group, index) => ({ id: index, group }));
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  let overallNow = 0;
  let overallPeak = 0;
  const order: number[] = [];
  const run = async (target: { id: number; group: string }) => {
    order.push(target.id);
    running.set(target.group, (running.get(target.group) ?? 0) + 1);
    peak.set(target.group, Math.max(peak.get(target.group) ?? 0, running.get(target.group) ?? 0));
    overallPeak = Math.max(overallPeak, ++overallNow);
    await tick();
    await tick();
    running.set(target.group, (running.get(target.group) ?? 1) - 1);
    overallNow--;
  };
  return { targets, run, peak, order, overallPeak: () => overallPeak };
}

describe('runTargets', () => {
  it('never runs more than perGroup of one group at once, and does reach the limit', async () => {
    const h = harness(Array.from({ length: 60 }, (_, i) => `host-${i % 3}`));
    const left = await runTargets(h.targets, { perGroup: 4, overall: 100, shouldStop: () => false }, h.run);
    expect(left).toEqual([]);
    expect(h.order.sort((a, b) => a - b)).toEqual(h.targets.map((t) => t.id));
    expect([...h.peak.values()]).toEqual([4, 4, 4]);
  });

  it('honours the overall limit across groups', async () => {
    const h = harness(Array.from({ length: 40 }, (_, i) => `host-${i % 10}`));
    await runTargets(h.targets, { perGroup: 4, overall: 7, shouldStop: () => false }, h.run);
    expect(h.overallPeak()).toBe(7);
  });

  it('starts targets in their order within a group', async () => {
    const h = harness(['a', 'a', 'a', 'a', 'a']);
    await runTargets(h.targets, { perGroup: 1, overall: 10, shouldStop: () => false }, h.run);
    expect(h.order).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops starting when asked, lets those in flight finish, and answers the rest', async () => {
    const h = harness(Array.from({ length: 20 }, () => 'one'));
    let stop = false;
    const started: number[] = [];
    const left = await runTargets(h.targets, { perGroup: 2, overall: 10, shouldStop: () => stop }, async (target) => {
      started.push(target.id);
      if (started.length === 3) stop = true;
      await h.run(target);
    });
    expect(started).toEqual([0, 1, 2]);
    expect(left.map((t) => t.id)).toEqual(Array.from({ length: 17 }, (_, i) => i + 3));
  });

  it('rejects after the targets in flight when a run throws', async () => {
    let finished = 0;
    await expect(
      runTargets(
        [{ group: 'g' }, { group: 'g' }, { group: 'g' }],
        { perGroup: 2, overall: 2, shouldStop: () => false },
        async () => {
          await tick();
          finished++;
          if (finished === 1) throw new Error('bug');
        },
      ),
    ).rejects.toThrow('bug');
    expect(finished).toBe(2);
  });
});
