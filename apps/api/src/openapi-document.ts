import { buildOpenApiDocument } from '@cockpit/api-openapi';
import { allRoutes, COCKPIT_VERSION } from '@cockpit/contracts';

/** The committed OpenAPI document; `npm run openapi` rewrites it, a test fails when it drifts. */
export const OPENAPI_FILE = new URL('../openapi.json', import.meta.url);

export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(allRoutes, COCKPIT_VERSION), null, 2)}\n`;
}
