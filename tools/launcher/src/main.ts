import { Launcher } from './launcher.js';

const code = await new Launcher().run();
process.exit(code);
