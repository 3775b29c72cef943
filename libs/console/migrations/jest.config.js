import path from 'node:path';
import { browserProject } from '../../../jest.preset.js';

const preset = browserProject(import.meta.dirname);

export default {
  ...preset,
  setupFilesAfterEnv: [...preset.setupFilesAfterEnv, path.join(import.meta.dirname, '../jest.console-setup.js')],
  testTimeout: 20_000,
};
