import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from '@cockpit/embedded-postgres';

/** DATA_DIR must exist (we create it) and be writable; say so plainly when it is not. */
export async function prepareDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = path.join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `DATA_DIR ${dir} is not writable (${code}). Set DATA_DIR to a directory you can write, or fix its permissions.`,
      { cause: error },
    );
  }
}

/**
 * One launcher per DATA_DIR: a second one would fight the first over the embedded database.
 * The lock is a pid file; a stale one (its process gone) is taken over.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'cockpit.pid');
  const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
    throw new Error(
      `Another Cockpit (pid ${holder}) is already running with DATA_DIR ${dir}. Stop it first, or set DATA_DIR to another directory.`,
    );
  }
  await writeFile(file, `${process.pid}\n`);
  return async () => {
    const current = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (current === process.pid) await rm(file, { force: true });
  };
}
