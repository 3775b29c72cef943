import type { AddressInfo } from 'node:net';
import { createAgentServer } from '@cockpit/vapor-agent';

const port = Number(process.env['VAPOR_PORT'] ?? 9443);
const host = process.env['VAPOR_HOST'] ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`vapor: VAPOR_PORT must be a whole number from 0 to 65535, got "${process.env['VAPOR_PORT']}"\n`);
  process.exit(1);
}

const server = createAgentServer();
server.on('error', (error: NodeJS.ErrnoException) => {
  process.stderr.write(`vapor: cannot listen on ${host}:${port}: ${error.code ?? error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`vapor: agent listening on http://${host}:${address.port} (skeleton: /v1/ping only)\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
