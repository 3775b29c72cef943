import { describe, expect, it } from '@jest/globals';
import { Host } from '@cockpit/contracts';
import { toHostSummary } from './hosts.service.js';

describe('toHostSummary', () => {
  const row = {
    id: '00000000-0000-4000-8000-000000000001',
    url: 'https://h1:9443',
    name: 'h1',
    token: 'super-secret-agent-token',
    fingerprint: 'AA:BB',
    state: 'pending-trust' as const,
    state_reason: 'Confirm the certificate fingerprint to trust this host',
    enabled: true,
    host_uuid: null,
    agent_version: null,
    owner_instance: null,
    last_seen_at: null,
    created_at: new Date('2026-11-22T00:00:00Z'),
    cpu_percent: null,
    memory_used_mib: null,
    stats_at: null,
    cpu_model: null,
    cpu_threads: null,
    memory_total_mib: null,
    vm_count: 0,
    vms_running: 0,
  };

  it('answers the contract shape and never the agent token', () => {
    const host = toHostSummary(row);
    expect(Host.parse(host)).toEqual(host);
    expect(JSON.stringify(host)).not.toContain('super-secret-agent-token');
    expect(host.stats).toBeNull();
  });

  it('shows the latest stats once there are some', () => {
    const at = new Date('2026-11-22T00:00:05Z');
    const host = toHostSummary({ ...row, cpu_percent: 12.5, memory_used_mib: 2048, stats_at: at, vm_count: 3, vms_running: 2 });
    expect(host).toMatchObject({
      stats: { cpuPercent: 12.5, memoryUsedMiB: 2048, at: at.toISOString() },
      vmCount: 3,
      vmsRunning: 2,
    });
  });
});
