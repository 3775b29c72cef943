import { describe, expect, it } from '@jest/globals';
import { StreamFollowers } from './stream-followers.js';

describe('the followers oracle', () => {
  it('times every overlap of two instances on one host from the moment the second opens to the moment one is left', () => {
    let now = 1_000;
    const followers = new StreamFollowers(() => now);
    const a = followers.open('host-1', 'a');
    now += 10;
    const b = followers.open('host-1', 'b');
    now += 3; // a 3 ms overlap is recorded as such: nothing is sampled
    a();
    now += 100;
    expect(followers.report()).toMatchObject({
      overlaps: [{ hostUuid: 'host-1', instances: ['a', 'b'], ms: 3 }],
      overlapMs: 3,
      maxOverlapMs: 3,
      hosts: { 'host-1': { now: { b: 1 }, maxInstances: 2 } },
    });
    b();
  });

  it('does not count one instance twice (a reconnect) nor two hosts with one follower each', () => {
    const followers = new StreamFollowers();
    const first = followers.open('host-1', 'a');
    const second = followers.open('host-1', 'a');
    const other = followers.open('host-2', 'b');
    first();
    second();
    other();
    expect(followers.report().overlaps).toEqual([]);
  });

  it('counts streams without an instance name as distinct followers, and shows an overlap still going', () => {
    let now = 0;
    const followers = new StreamFollowers(() => now);
    followers.open('host-1', undefined);
    followers.open('host-1', '');
    now = 50;
    expect(followers.report('host-1').overlaps).toMatchObject([{ endedAt: null, ms: 50 }]);
  });
});
