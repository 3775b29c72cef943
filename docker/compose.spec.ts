import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariables } from '@cockpit/api-config';
import { vaporConfigVariables } from '@cockpit/vapor-agent';

// No Docker engine runs here, so the deployment files are checked by reading them.
const root = path.join(import.meta.dirname, '..');
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(path.join(import.meta.dirname, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
};

/** Which config schema reads the environment of a service built from our images. */
const knownVariables: Record<string, readonly string[]> = {
  'cockpit-api': configVariables,
  'cockpit-vapor': vaporConfigVariables,
};

describe('docker/compose.yaml', () => {
  it('has PostgreSQL, two api instances and a fleet', () => {
    const images = Object.values(compose.services).map((service) => service.image ?? '');
    expect(images.filter((image) => image === 'cockpit-api')).toHaveLength(2);
    expect(images).toContain('cockpit-vapor');
    expect(images.some((image) => image.startsWith('postgres:'))).toBe(true);
  });

  it.each(Object.entries(compose.services).filter(([, s]) => s.image && knownVariables[s.image]))(
    'service %s sets only variables its config schema knows',
    (_name, service) => {
      const known = knownVariables[service.image ?? ''] ?? [];
      const unknown = Object.keys(service.environment ?? {}).filter((key) => !known.includes(key));
      expect(unknown).toEqual([]);
    },
  );

  it('gives each api instance its own INSTANCE_ID on the same database', () => {
    const apis = Object.values(compose.services).filter((s) => s.image === 'cockpit-api');
    expect(new Set(apis.map((s) => s.environment?.['INSTANCE_ID'])).size).toBe(apis.length);
    expect(new Set(apis.map((s) => s.environment?.['DATABASE_URL'])).size).toBe(1);
  });

  it('gives every api instance the same COCKPIT_SECRET_KEY, required from the environment', () => {
    const text = readFileSync(path.join(import.meta.dirname, 'compose.yaml'), 'utf8');
    const apis = Object.values(compose.services).filter((s) => s.image === 'cockpit-api');
    const keys = apis.map((s) => s.environment?.['COCKPIT_SECRET_KEY']);
    expect(keys.every((key) => typeof key === 'string' && key.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(1);
    // `${VAR:?message}`: compose refuses to start when it is not set, rather than each container making its own.
    expect(text).toMatch(/\$\{COCKPIT_SECRET_KEY:\?[^}]+\}/);
  });
});

describe.each(['api.Dockerfile', 'vapor.Dockerfile'])('docker/%s', (file) => {
  const text = readFileSync(path.join(import.meta.dirname, file), 'utf8');

  it('copies only paths that exist in the repository', () => {
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => (match[1] ?? '').split(/\s+/));
    expect(sources.filter((source) => !existsSync(path.join(root, source)))).toEqual([]);
  });

  it('sets only variables its program reads', () => {
    const env = [...text.matchAll(/^\s*(?:ENV )?([A-Z_]+)=\S+/gm)].map((match) => match[1] ?? '');
    const known = [...configVariables, ...vaporConfigVariables];
    expect(env.filter((name) => !known.includes(name))).toEqual([]);
  });
});
