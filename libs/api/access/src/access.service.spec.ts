import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, NotFoundError, type Principal } from '@cockpit/api-core';
import { hostScopeChain, vmScopeChain } from '@cockpit/contracts';
import { AccessService, objectOfScope } from './access.service.js';

const H1 = '00000000-0000-4000-8000-000000000001';
const H2 = '00000000-0000-4000-8000-000000000002';
const V1 = '00000000-0000-4000-8000-0000000000a1';
const V2 = '00000000-0000-4000-8000-0000000000a2';

/** An inventory of two hosts, V1 on H1 and V2 on H2. */
function access(): AccessService {
  const service = new AccessService();
  const hosts = new Set([H1, H2]);
  const vmHost = new Map([
    [V1, H1],
    [V2, H2],
  ]);
  service.registerKind('host', {
    view: 'host.view',
    label: 'host',
    resolve: (id) => Promise.resolve(hosts.has(id) ? hostScopeChain(id) : undefined),
  });
  service.registerKind('vm', {
    view: 'vm.view',
    label: 'VM',
    resolve: (id) => Promise.resolve(vmHost.has(id) ? vmScopeChain(id, vmHost.get(id) ?? '') : undefined),
  });
  return service;
}

const viewerOnH1: Principal = {
  type: 'user',
  userId: 'u',
  name: 'viewer',
  grants: [{ scope: `/hosts/${H1}`, permissions: ['vm.view', 'host.view'] }],
};

describe('AccessService', () => {
  it('allows what a grant on an ancestor covers, hides what the caller may not view, forbids what they may only view', async () => {
    const service = access();
    await expect(service.authorize(viewerOnH1, 'vm.view', 'vm', V1)).resolves.toEqual(vmScopeChain(V1, H1));
    await expect(service.authorize(viewerOnH1, 'vm.power', 'vm', V1)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.authorize(viewerOnH1, 'vm.view', 'vm', V2)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.authorize(viewerOnH1, 'vm.power', 'vm', V2)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.authorize(viewerOnH1, 'vm.view', 'vm', '00000000-0000-4000-8000-0000000000ff')).rejects.toThrow(/No VM/);
  });

  it('turns grants into what a list may show', () => {
    expect(AccessService.visibility([{ scope: '/', permissions: ['vm.view'] }], 'vm.view')).toEqual({ all: true });
    expect(
      AccessService.visibility(
        [
          { scope: `/hosts/${H1}`, permissions: ['vm.view'] },
          { scope: `/vms/${V2}`, permissions: ['vm.view'] },
          { scope: `/hosts/${H2}`, permissions: ['host.view'] },
        ],
        'vm.view',
      ),
    ).toEqual({ all: false, hostIds: [H1], vmIds: [V2] });
    expect(AccessService.holdsAnywhere(viewerOnH1.grants, 'vm.power')).toBe(false);
    expect(AccessService.holdsAnywhere(viewerOnH1.grants, 'vm.view')).toBe(true);
  });

  it('places a scope in the tree: a VM under its host, an unknown object directly under /', async () => {
    const service = access();
    await expect(service.scopeChain('/')).resolves.toEqual(['/']);
    await expect(service.scopeChain(`/vms/${V1}`)).resolves.toEqual([`/vms/${V1}`, `/hosts/${H1}`, '/']);
    await expect(service.scopeChain('/vms/00000000-0000-4000-8000-0000000000ff')).resolves.toEqual([
      '/vms/00000000-0000-4000-8000-0000000000ff',
      '/',
    ]);
    expect(objectOfScope(`/hosts/${H2}`)).toEqual({ kind: 'host', id: H2 });
    expect(objectOfScope('/')).toBeUndefined();
  });
});
