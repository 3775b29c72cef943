import { describe, expect, it } from '@jest/globals';
import { PreCopy, type PreCopyParams } from './pre-copy.js';

const MiB = 1024 * 1024;

function run(params: PreCopyParams, maxSeconds = 600) {
  const model = new PreCopy(params);
  let seconds = 0;
  while (model.phase !== 'completed' && seconds < maxSeconds) {
    model.step(0.05);
    seconds += 0.05;
  }
  return { model, seconds };
}

describe('PreCopy', () => {
  it('moves an idle guest in about one pass with a tiny downtime', () => {
    const { model, seconds } = run({
      ramBytes: 1024 * MiB,
      dirtyBytesPerSecond: 1 * MiB,
      bandwidthBytesPerSecond: 1000 * MiB,
      downtimeLimitMs: 300,
      autoConverge: false,
    });
    expect(model.phase).toBe('completed');
    expect(model.iteration).toBe(1);
    expect(seconds).toBeCloseTo(1.05, 1);
    expect(model.downtimeMs).toBeLessThan(10);
    expect(model.transferredBytes).toBeGreaterThan(1024 * MiB);
  });

  it('iterates on a busy guest until the rest fits the downtime limit', () => {
    const { model } = run({
      ramBytes: 8192 * MiB,
      dirtyBytesPerSecond: 300 * MiB,
      bandwidthBytesPerSecond: 1000 * MiB,
      downtimeLimitMs: 300,
      autoConverge: false,
    });
    expect(model.phase).toBe('completed');
    expect(model.iteration).toBeGreaterThan(2);
    expect(model.downtimeMs).toBeLessThanOrEqual(303);
  });

  it('never converges when the guest dirties faster than the link, unless auto-converge throttles it', () => {
    const params = {
      ramBytes: 4096 * MiB,
      dirtyBytesPerSecond: 360 * MiB,
      bandwidthBytesPerSecond: 100 * MiB,
      downtimeLimitMs: 300,
    };
    const stuck = run({ ...params, autoConverge: false }, 300);
    expect(stuck.model.phase).toBe('iterating');
    expect(stuck.model.throttle).toBe(0);
    const throttled = run({ ...params, autoConverge: true }, 3000);
    expect(throttled.model.phase).toBe('completed');
    expect(throttled.model.throttle).toBeGreaterThanOrEqual(20);
    expect(throttled.model.throttle % 10).toBe(0);
  });

  it('copies local disks first for a shared-nothing move', () => {
    const model = new PreCopy({
      ramBytes: 512 * MiB,
      dirtyBytesPerSecond: MiB,
      bandwidthBytesPerSecond: 500 * MiB,
      downtimeLimitMs: 300,
      autoConverge: false,
      diskBytes: 2000 * MiB,
      diskWriteBytesPerSecond: 10 * MiB,
    });
    expect(model.phase).toBe('copying-disks');
    model.step(2);
    expect(model.phase).toBe('copying-disks');
    model.step(2.5);
    expect(model.phase).toBe('copying-ram');
    expect(model.totalBytes).toBe(2512 * MiB);
  });

  it('copies at a new bandwidth from the next step on, and idles without moving a byte', () => {
    const model = new PreCopy({
      ramBytes: 1024 * MiB,
      dirtyBytesPerSecond: 0,
      bandwidthBytesPerSecond: 10 * MiB,
      downtimeLimitMs: 300,
      autoConverge: false,
    });
    model.step(1);
    expect(model.transferredBytes).toBe(10 * MiB);
    expect(model.throughputMBps).toBe(10);
    model.setBandwidth(100 * MiB);
    expect(model.bandwidthBytesPerSecond).toBe(100 * MiB);
    model.step(1);
    expect(model.transferredBytes).toBe(110 * MiB);
    expect(model.throughputMBps).toBe(100);
    model.idle();
    expect(model.transferredBytes).toBe(110 * MiB);
    expect(model.throughputMBps).toBe(0);
    expect(() => model.setBandwidth(0)).toThrow(RangeError);
    model.step(10); // the 914 MiB left
    expect(model.phase).toBe('completed');
  });
});
