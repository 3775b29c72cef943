import path from 'node:path';
import { nodeProject } from '../../jest.preset.js';

/** Browser tests: the real product started by its launcher, driven in Debian's Chromium. */
export default {
  ...nodeProject(import.meta.dirname),
  displayName: 'e2e',
  testMatch: [path.join(import.meta.dirname, 'src/**/*.e2e.ts')],
  testTimeout: 120_000,
  maxWorkers: 1,
};
