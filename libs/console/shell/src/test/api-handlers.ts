import { http, HttpResponse } from 'msw';
import { FleetSummary } from '@cockpit/contracts';

export const info = { product: 'Cockpit', version: '0.1.0', instanceId: 'api-test-1', startedAt: '2026-11-22T03:00:00.000Z' };

export const adminMe = {
  user: { id: '00000000-0000-4000-8000-000000000001', username: 'admin', displayName: 'Administrator' },
  csrfToken: 'csrf-token',
  totpEnabled: false,
  mustEnrollTotp: false,
  grants: [{ scope: '/', permissions: ['host.view', 'host.manage', 'vm.view', 'user.admin', 'audit.view'] }],
  session: { expiresAt: '2026-11-22T15:00:00.000Z', idleTimeoutSeconds: 900 },
};

export const viewerMe = {
  ...adminMe,
  user: { ...adminMe.user, username: 'vera', displayName: 'Vera' },
  grants: [{ scope: '/', permissions: ['host.view', 'vm.view'] }],
};

/** A fleet of no hosts yet, checked against its contract. */
export const emptyFleet = FleetSummary.parse({
  hosts: { total: 0, byState: {} },
  vms: { total: 0, byState: {} },
  capacity: { cpuThreads: 0, vcpusAllocated: 0, memoryTotalMiB: 0, memoryUsedMiB: 0 },
  topHosts: [],
  topVms: [],
  attention: [],
});

const emptyPage = { items: [], total: 0, nextCursor: null };

/** A healthy api with a signed-in administrator, as far as the shell asks it anything. */
export const healthyApi = [
  http.get('*/api/auth/me', () => HttpResponse.json(adminMe)),
  http.get('*/api/audit', () => HttpResponse.json({ items: [], nextBefore: null })),
  http.get('*/api/hosts', () => HttpResponse.json(emptyPage)),
  http.get('*/api/vms', () => HttpResponse.json(emptyPage)),
  http.get('*/api/fleet/summary', () => HttpResponse.json(emptyFleet)),
  http.get('*/api/info', () => HttpResponse.json(info)),
];
