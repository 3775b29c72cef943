import type { AddressInfo } from 'node:net';
import { createAgentServer, loadVaporConfig, type VaporConfig } from '@cockpit/vapor-agent';

let config: VaporConfig;
try {
  config = loadVaporConfig();
} catch (error) {
  process.stderr.write(`vapor: ${(error as Error).message}\n`);
  process.exit(1);
}

const server = createAgentServer();
server.on('error', (error: NodeJS.ErrnoException) => {
  process.stderr.write(`vapor: cannot listen on ${config.VAPOR_HOST}:${config.VAPOR_PORT}: ${error.code ?? error.message}\n`);
  process.exit(1);
});
server.listen(config.VAPOR_PORT, config.VAPOR_HOST, () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`vapor: agent listening on http://${config.VAPOR_HOST}:${address.port} (skeleton: /v1/ping only)\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
