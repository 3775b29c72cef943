import { parseArgs } from 'node:util';
import { Launcher } from './launcher.js';

let instances = 1;
try {
  const { values } = parseArgs({ options: { instances: { type: 'string' } }, strict: true });
  instances = Number(values.instances ?? 1);
  if (!Number.isInteger(instances) || instances < 1 || instances > 8)
    throw new Error(`--instances must be 1 to 8, got "${values.instances ?? ''}"`);
} catch (error) {
  process.stderr.write(`cockpit: ${(error as Error).message}. Usage: npm start [-- --instances N]\n`);
  process.exit(2);
}

const code = await new Launcher(process.env, undefined, instances).run();
process.exit(code);
