import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { allRoutes, defineRoute } from '@cockpit/contracts';
import { buildOpenApiDocument } from './document.js';

const getHost = defineRoute({
  id: 'getHost',
  method: 'get',
  path: '/api/hosts/{hostId}',
  summary: 'One host',
  tag: 'Hosts',
  access: { permission: 'host.view' },
  params: z.object({ hostId: z.uuid() }),
  response: z.object({ id: z.uuid() }),
  errors: [404],
});

describe('buildOpenApiDocument', () => {
  it('documents path parameters, the permission, the success and every error answer', () => {
    const document = buildOpenApiDocument([getHost], '1.0.0');
    const operation = document.paths?.['/api/hosts/{hostId}']?.get;
    expect(operation?.operationId).toBe('getHost');
    expect(operation?.description).toContain('Needs permission `host.view`');
    expect(operation?.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'hostId', required: true })]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', '500']);
    expect(JSON.stringify(operation?.responses?.['404'])).toContain('#/components/schemas/ErrorResponse');
  });

  it('marks public routes as needing no credentials', () => {
    const document = buildOpenApiDocument(allRoutes, '1.0.0');
    expect(document.paths?.['/api/health/ready']?.get?.security).toEqual([]);
  });

  it('refuses two routes with one operation id or one method and path', () => {
    expect(() => buildOpenApiDocument([getHost, getHost], '1')).toThrow(/Duplicate operation id getHost/);
    expect(() => buildOpenApiDocument([getHost, { ...getHost, id: 'other' }], '1')).toThrow(/Two routes for GET/);
  });
});
