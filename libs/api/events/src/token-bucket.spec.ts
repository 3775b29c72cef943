import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst up to its capacity, then refills at its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 500; // one token back
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 60_000; // never more than the capacity
    expect([bucket.take(3), bucket.take()]).toEqual([true, false]);
  });

  it('charges expensive requests more and takes nothing when it refuses', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 1, () => now);
    expect(bucket.take(4)).toBe(true);
    expect(bucket.take(4)).toBe(false);
    expect(bucket.take(1)).toBe(true);
    now += 1000;
    expect(bucket.take(1)).toBe(true);
  });
});
