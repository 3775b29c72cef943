import { describe, expect, it } from '@jest/globals';
import type { HostCapacity } from '@cockpit/api-hosts';
import { checkHost, place, type VmNeeds } from './placement.js';

const GiB = 1024 ** 3;
const host = (name: string, overrides: Partial<HostCapacity> = {}): HostCapacity => ({
  hostId: `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`,
  name,
  state: 'connected',
  enabled: true,
  freeMemoryMiB: 16_384,
  totalMemoryMiB: 32_768,
  cpuThreads: 16,
  cpuModel: 'Haswell',
  cpuFeatures: ['avx2', 'aes'],
  pools: [{ id: 'local', type: 'local', freeBytes: 500 * GiB }],
  networks: ['br-mgmt'],
  ...overrides,
});
const needs = (overrides: Partial<VmNeeds> = {}): VmNeeds => ({
  memoryMiB: 4096,
  running: true,
  cpuModel: 'host-model',
  cpuFeatures: ['avx2'],
  poolBytes: new Map([['local', 20 * GiB]]),
  networks: ['br-mgmt'],
  ...overrides,
});

describe('placement checks', () => {
  it('passes a host with room, naming each check', () => {
    const results = checkHost(host('a'), needs());
    expect(results.every((result) => result.outcome === 'pass')).toBe(true);
    expect(results.map((result) => result.check).sort()).toEqual(['cpu', 'memory', 'network', 'state', 'storage']);
  });

  it('fails each problem with a sentence naming what is missing', () => {
    const failures = checkHost(
      host('b', {
        state: 'unreachable',
        freeMemoryMiB: 1024,
        cpuFeatures: ['aes'],
        networks: [],
        pools: [{ id: 'local', type: 'local', freeBytes: GiB }],
      }),
      needs({
        poolBytes: new Map([
          ['local', 20 * GiB],
          ['ceph-a', GiB],
        ]),
      }),
    )
      .filter((result) => result.outcome === 'fail')
      .map((result) => result.message);
    expect(failures).toEqual([
      'b is unreachable',
      'only 1024 MiB free on b, 4096 MiB needed',
      'pool "local" on b has 1.0 GiB free, the disks need 20.0 GiB',
      'b has no pool "ceph-a"',
      'b has no bridge "br-mgmt"',
      "b's CPU lacks avx2",
    ]);
  });

  it('does not ask for free memory when the VM is not started, nor CPU flags for host-passthrough', () => {
    const results = checkHost(
      host('c', { freeMemoryMiB: 0, cpuFeatures: [] }),
      needs({ running: false, cpuModel: 'host-passthrough' }),
    );
    expect(results.filter((result) => result.outcome === 'fail')).toEqual([]);
  });

  it('chooses the passing host with the most free memory and says why, listing the rejected', () => {
    const choice = place(
      [
        host('small', { freeMemoryMiB: 8192 }),
        host('big', { freeMemoryMiB: 65_536, networks: [] }),
        host('medium', { freeMemoryMiB: 32_768 }),
      ],
      needs(),
    );
    expect(choice.host?.name).toBe('medium');
    expect('reason' in choice && choice.reason).toMatch(
      /^medium has the most free memory \(32768 MiB\) of the 2 hosts that pass every check/,
    );
    expect(choice.rejected.map((entry) => [entry.host.name, entry.reasons])).toEqual([['big', ['big has no bridge "br-mgmt"']]]);
  });

  it('answers no host when none passes', () => {
    const choice = place([host('tiny', { freeMemoryMiB: 10 })], needs());
    expect(choice.host).toBeUndefined();
    expect(choice.rejected).toHaveLength(1);
  });
});
