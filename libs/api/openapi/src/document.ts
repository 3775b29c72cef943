import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { ErrorResponse, type RouteDef } from '@cockpit/contracts';

const COMMON_ERRORS: Record<number, string> = {
  400: 'The request did not validate; `details` lists each invalid field',
  401: 'No valid session or API token',
  403: 'Signed in, but without the permission this route needs',
  500: 'Unexpected failure; the api log has the details under the X-Request-Id',
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  404: 'Not found',
  409: 'Conflicts with the current state (e.g. a stale If-Match generation)',
  412: 'Precondition failed',
  422: 'Understood but cannot be done in the current state',
  503: 'A dependency (e.g. the database) is unavailable',
};

function operation(def: RouteDef): ZodOpenApiOperationObject {
  const errorStatuses = [...new Set([...Object.keys(COMMON_ERRORS).map(Number), ...(def.errors ?? [])])].sort();
  const responses: Record<string, ZodOpenApiResponseObject> = {
    [String(def.status ?? 200)]: {
      description: def.summary,
      content: { [def.produces ?? 'application/json']: { schema: def.response } },
    },
  };
  for (const status of errorStatuses) {
    responses[String(status)] = {
      description: COMMON_ERRORS[status] ?? ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: ErrorResponse } },
    };
  }
  const access =
    def.access === 'public'
      ? 'Public.'
      : def.access === 'authenticated'
        ? 'Any signed-in user.'
        : `Needs permission \`${def.access.permission}\`.`;
  return {
    operationId: def.id,
    summary: def.summary,
    description: [def.description, `Access: ${access}`].filter(Boolean).join('\n\n'),
    tags: [def.tag],
    ...(def.params || def.query
      ? {
          requestParams: {
            ...(def.params ? { path: def.params } : {}),
            ...(def.query ? { query: def.query } : {}),
          } as ZodOpenApiOperationObject['requestParams'],
        }
      : {}),
    ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: def.body } } } } : {}),
    responses: responses as ZodOpenApiOperationObject['responses'],
    ...(def.access === 'public' ? { security: [] } : {}),
  };
}

/** The OpenAPI 3.1 document of the api, generated from the route contracts. */
export function buildOpenApiDocument(routes: readonly RouteDef[], version: string): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  const ids = new Set<string>();
  for (const def of routes) {
    if (ids.has(def.id)) throw new Error(`Duplicate operation id ${def.id}`);
    ids.add(def.id);
    const item = (paths[def.path] ??= {});
    if (item[def.method]) throw new Error(`Two routes for ${def.method.toUpperCase()} ${def.path}`);
    item[def.method] = operation(def);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cockpit API',
      version,
      description:
        'REST API of Cockpit, the management plane for a fleet of Vapor hypervisor hosts. Errors always answer `{ statusCode, error, message, details? }`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: '__Host-cockpit_session' },
        bearer: { type: 'http', scheme: 'bearer', description: 'API token' },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  });
}
