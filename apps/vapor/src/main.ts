import { runVaporCli, USAGE, UsageError } from '@cockpit/vapor-agent';

const argv = process.argv.slice(2);
if (!argv.length || argv[0] === '--help' || argv[0] === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(argv.length ? 0 : 2);
}

try {
  const running = await runVaporCli(argv, (line) => process.stdout.write(`${line}\n`));
  // Started by the launcher: tell it where the hosts are.
  process.send?.({ type: 'ready', manifest: running.manifest });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
} catch (error) {
  const message =
    error instanceof UsageError || (error instanceof Error && error.message.startsWith('Invalid configuration'))
      ? error.message
      : String((error as Error).stack ?? error);
  process.stderr.write(`vapor: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
