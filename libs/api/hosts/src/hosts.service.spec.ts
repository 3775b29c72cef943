import { describe, expect, it } from '@jest/globals';
import { Host } from '@cockpit/contracts';
import { HostEntity } from './entities/host.entity.js';
import { toHost } from './hosts.service.js';

describe('toHost', () => {
  it('answers the contract shape and never the agent token', () => {
    const entity = Object.assign(new HostEntity(), {
      id: '00000000-0000-4000-8000-000000000001',
      url: 'https://h1:9443',
      name: 'h1',
      token: 'super-secret-agent-token',
      fingerprint: 'AA:BB',
      state: 'pending-trust',
      stateReason: 'Confirm the certificate fingerprint to trust this host',
      enabled: true,
      hostUuid: null,
      agentVersion: null,
      info: null,
      ownerInstance: null,
      lastSeenAt: null,
      createdAt: new Date('2026-11-22T00:00:00Z'),
      updatedAt: new Date('2026-11-22T00:00:00Z'),
    });
    const host = toHost(entity);
    expect(Host.parse(host)).toEqual(host);
    expect(JSON.stringify(host)).not.toContain('super-secret-agent-token');
  });
});
