import { readdir, readFile } from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** The fields of /proc/<pid>/stat after the command name (index 0 is the state, field 3 of proc(5)). */
async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds of a whole PostgreSQL server so far: the postmaster, the children it has reaped
 * (cutime/cstime: backends of closed connections) and every live child (backends, WAL writer,
 * checkpointer, autovacuum...). A difference of two readings is the server's CPU in between, even
 * for backends that came or went meanwhile.
 */
export async function serverCpuSeconds(postmasterPid: number): Promise<number> {
  const own = await statFields(postmasterPid);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = await statFields(Number(entry));
      if (Number(fields[1]) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile: the postmaster's cutime has it now
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Polls until the condition holds or the time is up (then throws, naming what was awaited). */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
  return Date.now() - started;
}
