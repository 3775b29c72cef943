import { describe, expect, it } from '@jest/globals';
import type { Grant } from '@cockpit/contracts';
import { chainOf, roomsFor, roomsOf } from './rooms.js';

const H1 = '00000000-0000-4000-8000-000000000001';
const V1 = '00000000-0000-4000-8000-0000000000a1';
const viewer = ['host.view', 'vm.view', 'cluster.view'] as const;

describe('event rooms', () => {
  it('sends an event to its object and every ancestor', () => {
    expect(roomsOf({ type: 'vm.state', data: { vmId: V1, hostId: H1, state: 'running', previous: 'paused', at: 0 } })).toEqual([
      `vm@/vms/${V1}`,
      `vm@/hosts/${H1}`,
      'vm@/',
    ]);
    expect(roomsOf({ type: 'audit.created', data: { id: '1', action: 'login', actor: 'admin', outcome: 'success' } })).toEqual([
      'audit@/',
    ]);
  });

  it('lets a fleet-wide viewer join `/` rooms, but not the audit room without audit.view', () => {
    const grants: Grant[] = [{ scope: '/', permissions: [...viewer] }];
    expect(roomsFor(grants, '/', chainOf('/'))).toEqual(['host@/', 'vm@/']);
  });

  it('turns a `/` subscription of someone bound on one host into that host’s rooms only', () => {
    const grants: Grant[] = [{ scope: `/hosts/${H1}`, permissions: [...viewer] }];
    expect(roomsFor(grants, '/', chainOf('/'))).toEqual([`host@/hosts/${H1}`, `vm@/hosts/${H1}`]);
    expect(roomsFor(grants, `/hosts/${H1}`, chainOf(`/hosts/${H1}`))).toEqual([`host@/hosts/${H1}`, `vm@/hosts/${H1}`]);
    // A VM on that host inherits the grant once its host is known.
    expect(roomsFor(grants, `/vms/${V1}`, chainOf(`/vms/${V1}`, H1))).toEqual([`vm@/vms/${V1}`]);
    expect(roomsFor(grants, '/hosts/other', chainOf('/hosts/other'))).toEqual([]);
  });
});
