import type { ExecResult } from '@cockpit/contracts';
import type { SimHost } from './sim-host.js';
import type { SimWorld } from './world.js';

/**
 * Commands the simulated host answers, so fleet commands have real differences to collate
 * (kernels and package versions vary across hosts). Arguments are an argv array; nothing is ever
 * interpreted by a shell. Supported:
 *   true, false, echo ARGS, hostname, uname [-r|-n|-s|-m|-a], nproc, uptime, date -u,
 *   cat /etc/os-release | /proc/loadavg | /proc/meminfo | /etc/hostname,
 *   dpkg-query -W [PKG...], rpm -q PKG (not found: Debian hosts), df [-h], ip -br link,
 *   virsh list [--all], sleep SECONDS (honours the timeout), exit CODE.
 * Anything else exits 127 "command not found", like a shell would report it.
 */
export async function simulatedExec(host: SimHost, argv: string[], timeoutMs: number, world: SimWorld): Promise<ExecResult> {
  const started = Date.now();
  const [command, ...args] = argv;
  const done = (exitCode: number | null, stdout: string, stderr = '', timedOut = false): ExecResult => ({
    exitCode,
    stdout,
    stderr,
    durationMs: Date.now() - started,
    timedOut,
  });
  const info = host.hostInfo();
  switch (command) {
    case 'true':
      return done(0, '');
    case 'false':
      return done(1, '');
    case 'exit':
      return done(Number(args[0] ?? 0) & 255, '');
    case 'echo':
      return done(0, `${args.join(' ')}\n`);
    case 'hostname':
      return done(0, `${host.hostname}\n`);
    case 'nproc':
      return done(0, `${info.cpu.sockets * info.cpu.coresPerSocket * info.cpu.threadsPerCore}\n`);
    case 'uname': {
      const parts: Record<string, string> = { '-s': 'Linux', '-n': host.hostname, '-r': host.kernel, '-m': 'x86_64' };
      if (args[0] === '-a') return done(0, `Linux ${host.hostname} ${host.kernel} #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n`);
      const wanted = args.length ? args : ['-s'];
      const unknown = wanted.find((flag) => !(flag in parts));
      if (unknown) return done(1, '', `uname: invalid option -- '${unknown.replace(/^-/, '')}'\n`);
      return done(0, `${wanted.map((flag) => parts[flag]).join(' ')}\n`);
    }
    case 'uptime': {
      const minutes = Math.floor((Date.now() - Date.parse(info.bootedAt)) / 60_000);
      return done(0, ` up ${minutes} min,  0 users,  load average: ${loadavg(host)}\n`);
    }
    case 'date':
      return done(0, `${new Date().toUTCString()}\n`);
    case 'cat': {
      const files: Record<string, () => string> = {
        '/etc/hostname': () => `${host.hostname}\n`,
        '/etc/os-release': () =>
          host.kernel.includes('generic')
            ? 'PRETTY_NAME="Ubuntu 22.04.5 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n'
            : 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
        '/proc/loadavg': () => `${loadavg(host)} 1/${300 + host.runningVmNames().length * 12} 4242\n`,
        '/proc/meminfo': () =>
          `MemTotal:       ${info.memory.totalMiB * 1024} kB\nMemFree:        ${info.memory.freeMiB * 1024} kB\nMemAvailable:   ${info.memory.freeMiB * 1024} kB\n`,
      };
      if (!args.length) return done(1, '', 'cat: reading standard input is not supported here\n');
      let out = '';
      for (const file of args) {
        const read = files[file];
        if (!read) return done(1, out, `cat: ${file}: No such file or directory\n`);
        out += read();
      }
      return done(0, out);
    }
    case 'dpkg-query': {
      if (args[0] !== '-W') return done(2, '', 'dpkg-query: only -W is supported here\n');
      const names = args.length > 1 ? args.slice(1) : Object.keys(host.packages).sort();
      const missing = names.filter((name) => !(name in host.packages));
      const out = names
        .filter((name) => name in host.packages)
        .map((name) => `${name}\t${host.packages[name]}\n`)
        .join('');
      return done(
        missing.length ? 1 : 0,
        out,
        missing.map((name) => `dpkg-query: no packages found matching ${name}\n`).join(''),
      );
    }
    case 'rpm':
      return done(127, '', 'rpm: command not found\n');
    case 'df': {
      const human = args.includes('-h');
      const lines = info.pools.map((pool) => {
        const used = pool.capacityBytes - pool.freeBytes;
        const show = (bytes: number) => (human ? `${(bytes / 1024 ** 4).toFixed(1)}T` : String(Math.round(bytes / 1024)));
        return `${pool.type === 'shared' ? `${pool.id}:/` : '/dev/md0'}\t${show(pool.capacityBytes)}\t${show(used)}\t${show(pool.freeBytes)}\t${Math.round((used / pool.capacityBytes) * 100)}%\t/var/lib/vapor/pools/${pool.id}`;
      });
      return done(0, `Filesystem\tSize\tUsed\tAvail\tUse%\tMounted on\n${lines.join('\n')}\n`);
    }
    case 'ip':
      if (args.join(' ') !== '-br link') return done(1, '', 'ip: only "ip -br link" is supported here\n');
      return done(0, ['lo UNKNOWN', 'eno1 UP', ...info.networks.map((net) => `${net.id} UP`)].map((l) => `${l}\n`).join(''));
    case 'virsh': {
      if (args[0] !== 'list') return done(1, '', `error: unknown command: '${args[0] ?? ''}'\n`);
      const names = args.includes('--all') ? [] : host.runningVmNames();
      const all = args.includes('--all')
        ? host.listVms().map((vm) => `${vm.name}\t${vm.state === 'shutoff' ? 'shut off' : vm.state}`)
        : names.map((n) => `${n}\trunning`);
      return done(0, ` Id\tName\tState\n${all.map((line, i) => ` ${i + 1}\t${line}`).join('\n')}\n`);
    }
    case 'sleep': {
      const seconds = Number(args[0]);
      if (!Number.isFinite(seconds) || seconds < 0) return done(1, '', `sleep: invalid time interval '${args[0] ?? ''}'\n`);
      const wallMs = world.scaled(seconds * 1000);
      if (wallMs > timeoutMs) {
        await new Promise((resolve) => setTimeout(resolve, timeoutMs));
        return done(null, '', '', true);
      }
      await new Promise((resolve) => setTimeout(resolve, wallMs));
      return done(0, '');
    }
    default:
      return done(127, '', `${command ?? ''}: command not found\n`);
  }
}

function loadavg(host: SimHost): string {
  const load = host.runningVmNames().length * 0.35;
  return `${load.toFixed(2)} ${(load * 0.9).toFixed(2)} ${(load * 0.8).toFixed(2)}`;
}
