import { describe, expect, it } from '@jest/globals';
import { isAllowed, missingToGrant, permissionsOn, type Grant } from './evaluator.js';
import { BUILT_IN_ROLES, ScopePath } from './permissions.js';

const vmOnHost1 = ['/vms/v1', '/hosts/h1', '/clusters/c1', '/clusters/c2', '/'] as const;
const vmOnHost2 = ['/vms/v2', '/hosts/h2', '/clusters/c3', '/'] as const;

describe('permission evaluator', () => {
  it('denies by default', () => {
    expect(isAllowed([], 'vm.view', vmOnHost1)).toBe(false);
  });

  it('inherits downwards from any ancestor, including one of several overlapping clusters', () => {
    const grants: Grant[] = [{ scope: '/clusters/c2', permissions: ['vm.power'] }];
    expect(isAllowed(grants, 'vm.power', vmOnHost1)).toBe(true);
    expect(isAllowed(grants, 'vm.power', vmOnHost2)).toBe(false);
    expect(isAllowed(grants, 'vm.delete', vmOnHost1)).toBe(false);
  });

  it('never inherits upwards: a grant on a VM says nothing about its host', () => {
    const grants: Grant[] = [{ scope: '/vms/v1', permissions: ['host.view'] }];
    expect(isAllowed(grants, 'host.view', ['/hosts/h1', '/'])).toBe(false);
    expect(isAllowed(grants, 'host.view', vmOnHost1)).toBe(true);
  });

  it('gives Administrator on / everything everywhere', () => {
    const admin: Grant[] = [{ scope: '/', permissions: BUILT_IN_ROLES.Administrator }];
    expect(isAllowed(admin, 'user.admin', ['/'])).toBe(true);
    expect(permissionsOn(admin, vmOnHost2)).toHaveLength(BUILT_IN_ROLES.Administrator.length);
  });

  it('refuses escalation: granting what or where you do not hold', () => {
    const operatorOnC1: Grant[] = [{ scope: '/clusters/c1', permissions: BUILT_IN_ROLES.Operator }];
    expect(missingToGrant(operatorOnC1, ['vm.power'], ['/hosts/h1', '/clusters/c1', '/'])).toEqual([]);
    expect(missingToGrant(operatorOnC1, ['vm.power'], ['/'])).toEqual(['vm.power']);
    expect(missingToGrant(operatorOnC1, ['user.admin', 'vm.view'], ['/hosts/h1', '/clusters/c1', '/'])).toEqual(['user.admin']);
  });

  it('accepts only well-formed scope paths', () => {
    for (const good of ['/', '/clusters/prod-1', '/hosts/3f2a', '/vms/db.01'])
      expect(ScopePath.safeParse(good).success).toBe(true);
    for (const bad of ['', '/clusters', '/clusters/', '/hosts/a/b', '/users/1', 'hosts/1', '/vms/../x x']) {
      expect(ScopePath.safeParse(bad).success).toBe(false);
    }
  });
});
