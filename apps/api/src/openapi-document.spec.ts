import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApiDocument } from './openapi-document.js';

describe('committed OpenAPI document', () => {
  it('matches what the route contracts generate (run `npm run openapi` after changing a contract)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApiDocument());
  });
});
