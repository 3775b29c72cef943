import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COCKPIT_VERSION } from './version.js';

describe('COCKPIT_VERSION', () => {
  it('matches the root package.json, which releases bump', () => {
    const root = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(COCKPIT_VERSION).toBe(root.version);
  });
});
