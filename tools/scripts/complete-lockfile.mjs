#!/usr/bin/env node
/**
 * Makes package-lock.json acceptable to `npm ci` when the registry does not serve some platform
 * builds of optional native packages (e.g. @swc/core-darwin-arm64@1.16.22).
 *
 * `npm install` silently leaves such packages out of the lockfile, and `npm ci` then refuses that
 * same lockfile ("Missing: @swc/core-darwin-arm64@ from lock file", npm/cli#9846). This adds an
 * entry for each missing optional dependency with its version and platform (os/cpu/libc), which is
 * all `npm ci` needs to skip it on other platforms. Run it after every `npm install` that changes the
 * lockfile; `npm run lockfile:check` (part of `npm run lint`) fails when it is needed.
 *
 * Usage: node tools/scripts/complete-lockfile.mjs [--check]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../../package-lock.json', import.meta.url);
const check = process.argv.includes('--check');
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

/** Where Node would resolve `name` from the package installed at `from`, if anywhere. */
function resolve(from, name) {
  let dir = from;
  for (;;) {
    const candidate = `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    const at = dir.lastIndexOf('node_modules/');
    if (at < 0) return packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
    dir = dir.slice(0, at).replace(/\/$/, '');
    if (!dir) return packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
  }
}

/** The platform fields of a package, from any version the registry has, else from its name. */
const platformCache = new Map();
function platformOf(name) {
  if (platformCache.has(name)) return platformCache.get(name);
  let platform;
  try {
    const out = execFileSync('npm', ['view', name, 'os', 'cpu', 'libc', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const view = out.trim() ? JSON.parse(out) : {};
    const pick = Array.isArray(view) ? view.at(-1) : view;
    if (pick && (pick.os || pick.cpu)) platform = { os: pick.os, cpu: pick.cpu, libc: pick.libc };
  } catch {
    // not on the registry at all: fall back to the name
  }
  platform ??= fromName(name);
  platformCache.set(name, platform);
  return platform;
}

function fromName(name) {
  const tokens = name.split('/').pop().split('-');
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'sunos', 'openbsd', 'netbsd', 'aix'].find((t) =>
    tokens.includes(t),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'arm', 'wasm32'].find((t) =>
    tokens.some((token) => token === t || (t === 'arm' && /^arm(eabi|gnueabihf|musleabihf)?$/.test(token))),
  );
  const libc =
    tokens.includes('musl') || tokens.some((t) => t.startsWith('musl'))
      ? ['musl']
      : tokens.includes('gnu') || tokens.some((t) => t.startsWith('gnu'))
        ? ['glibc']
        : undefined;
  if (!os && !cpu) throw new Error(`Cannot tell the platform of ${name}; add its lockfile entry by hand`);
  return { os: os ? [os] : undefined, cpu: cpu ? [cpu] : undefined, libc };
}

const added = [];
for (const [path, entry] of Object.entries(packages)) {
  if (!path || !entry.optionalDependencies) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const found = resolve(path, name);
    if (found && packages[found].version === version) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) continue; // only exact pins are platform builds
    // Hoist to the top when free, else beside the package that needs it (as npm would place it).
    const top = `node_modules/${name}`;
    const at = !packages[top] ? top : `${path.slice(0, path.lastIndexOf('node_modules/'))}node_modules/${name}`;
    if (packages[at]) continue;
    const { os, cpu, libc } = platformOf(name);
    packages[at] = {
      version,
      ...(cpu ? { cpu } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc } : {}),
      optional: true,
      ...(os ? { os } : {}),
    };
    added.push(`${at}@${version}`);
  }
}

if (check) {
  if (added.length) {
    process.stderr.write(
      `package-lock.json lacks ${added.length} optional platform package(s) that npm ci requires (e.g. ${added[0]}).\n` +
        'Run: node tools/scripts/complete-lockfile.mjs\n',
    );
    process.exit(1);
  }
  process.stdout.write('package-lock.json is complete for npm ci.\n');
} else {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(added.length ? `Added ${added.length} entries:\n  ${added.join('\n  ')}\n` : 'Nothing to add.\n');
}
