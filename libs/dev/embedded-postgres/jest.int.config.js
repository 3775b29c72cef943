import { integrationProject } from '../../../jest.preset.js';

export default integrationProject(import.meta.dirname);
