import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { allRoutes } from './routes.js';

/** Path parameters that name an object a permission can be held on, and the kind they name. */
const OBJECT_PARAMS: Record<string, 'host' | 'vm' | 'job' | 'migration'> = {
  hostId: 'host',
  vmId: 'vm',
  jobId: 'job',
  migrationId: 'migration',
};

describe('the route table', () => {
  it('has every route about a host or VM declare that object as its scope, so the guard checks it', () => {
    const undeclared: string[] = [];
    for (const def of allRoutes) {
      const params = [...def.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] ?? '');
      const objectParam = params.find((param) => OBJECT_PARAMS[param]);
      if (!objectParam) continue;
      const access = def.access;
      const scope = typeof access === 'object' ? access.scope : undefined;
      if (typeof scope !== 'object' || scope.param !== objectParam || scope.kind !== OBJECT_PARAMS[objectParam])
        undeclared.push(`${def.id} (${def.path})`);
    }
    expect(undeclared).toEqual([]);
    // Positive control: the walk does see object routes.
    expect(allRoutes.filter((def) => /\{(hostId|vmId)\}/.test(def.path)).length).toBeGreaterThan(5);
  });

  it('has each declared scope parameter validated by the route’s params (or body) schema', () => {
    const missing = allRoutes.flatMap((def) => {
      const scope = typeof def.access === 'object' ? def.access.scope : undefined;
      if (typeof scope !== 'object') return [];
      const schema = scope.in === 'body' ? def.body : def.params;
      const shape = (schema as z.ZodObject | undefined)?.shape ?? {};
      return scope.param in shape ? [] : [`${def.id}: ${scope.param}`];
    });
    expect(missing).toEqual([]);
  });

  it('has every route whose body names the VM it acts on declare it as the scope', () => {
    const undeclared = allRoutes.filter((def) => {
      const shape = (def.body as z.ZodObject | undefined)?.shape ?? {};
      if (!('vmId' in shape) || def.path.includes('{')) return false;
      const scope = typeof def.access === 'object' ? def.access.scope : undefined;
      return !(typeof scope === 'object' && scope.in === 'body' && scope.param === 'vmId' && scope.kind === 'vm');
    });
    expect(undeclared.map((def) => def.id)).toEqual([]);
    // Positive control: such routes exist.
    expect(
      allRoutes.filter(
        (def) => typeof def.access === 'object' && typeof def.access.scope === 'object' && def.access.scope.in === 'body',
      ).length,
    ).toBeGreaterThan(2);
  });

  it('pages every list', () => {
    const lists = allRoutes.filter(
      (def) => typeof def.access === 'object' && def.access.scope === 'visible' && def.id.startsWith('list'),
    );
    expect(lists.map((def) => def.id).sort()).toEqual(['listHosts', 'listJobs', 'listMigrations', 'listVms']);
    // The audit log pages by id (`before`), newest first, as an append-only log does.
    const paged = allRoutes.filter((def) => def.method === 'get' && /^list/.test(def.id) && def.id !== 'listAudit');
    expect(paged.length).toBeGreaterThan(8);
    for (const def of paged)
      expect(Object.keys((def.response as z.ZodObject).shape).sort()).toEqual(['items', 'nextCursor', 'total']);
    for (const def of lists)
      expect(Object.keys((def.response as z.ZodObject).shape).sort()).toEqual(['items', 'nextCursor', 'total']);
  });
});
