import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../../../..');
const apiLibs = path.join(root, 'libs/api');

/**
 * Services that still throw HTTP exceptions, each until its owner moves it to domain errors. The
 * list may only shrink: a file on it that no longer imports one fails this test too.
 */
const NOT_YET = new Set(['libs/api/events/src/event-stream.service.ts', 'libs/api/metrics/src/metrics-store.service.ts']);

/** Every `*.service.ts` under `libs/api/<lib>/src`, relative to the repository root. */
function services(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.service.ts')) found.push(path.relative(root, full));
    }
  };
  for (const lib of readdirSync(apiLibs, { withFileTypes: true }))
    if (lib.isDirectory()) {
      const src = path.join(apiLibs, lib.name, 'src');
      try {
        walk(src);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  return found.sort();
}

/** The HTTP exception classes (`…Exception`, `HttpStatus`) a file imports from `@nestjs/common`. */
function httpExceptionImports(source: string): string[] {
  return [...source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]@nestjs\/common['"]/g)]
    .flatMap((match) => (match[1] ?? '').split(','))
    .map(
      (part) =>
        part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0] ?? '',
    )
    .filter((name) => /^(?:\w*Exception|HttpStatus)$/.test(name));
}

describe('services throw domain errors, not HTTP exceptions', () => {
  const files = services();

  it('finds the services', () => {
    expect(files).toContain('libs/api/auth/src/users.service.ts');
    expect(files.length).toBeGreaterThan(10);
  });

  it('recognises an HTTP exception import, and only that', () => {
    expect(
      httpExceptionImports(
        "import {\n  ConflictException,\n  Injectable,\n  HttpStatus as S,\n} from '@nestjs/common';\nimport { X } from 'y';",
      ),
    ).toEqual(['ConflictException', 'HttpStatus']);
    expect(httpExceptionImports("import { Injectable, Logger } from '@nestjs/common';")).toEqual([]);
  });

  it('no service imports a Nest HTTP exception (throw NotFoundError, ForbiddenError… from @cockpit/api-core)', () => {
    const offenders = files
      .filter((file) => !NOT_YET.has(file))
      .map((file) => ({ file, imports: httpExceptionImports(readFileSync(path.join(root, file), 'utf8')) }))
      .filter((entry) => entry.imports.length > 0);
    expect(offenders).toEqual([]);
  });

  it('the list of services not moved yet only shrinks', () => {
    const moved = [...NOT_YET].filter((file) => httpExceptionImports(readFileSync(path.join(root, file), 'utf8')).length === 0);
    expect(moved).toEqual([]);
  });
});
