import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './host-session.js';

describe('reconnect backoff', () => {
  it('doubles from 1 s up to a 30 s ceiling, with half of each delay random', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect([0, 1, 5].map((attempt) => backoffDelay(attempt, () => 0))).toEqual([500, 1000, 15000]);
  });

  it('spreads hosts that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8000);
  });
});
