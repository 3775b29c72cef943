// Shared jest settings. Tests run as native ES modules (NestJS 12 is ESM-only), so jest is started
// with --experimental-vm-modules and @swc/jest keeps `import` statements intact.
import path from 'node:path';

const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx, decorators: true },
      transform: {
        legacyDecorator: true,
        decoratorMetadata: true,
        useDefineForClassFields: false,
        react: { runtime: 'automatic' },
      },
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = (dir) => ({
  rootDir: dir,
  displayName: path.basename(dir),
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  // Sources import siblings as `./x.js` (NodeNext); jest resolves them to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/out-tsc/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/out-tsc/'],
  transform: { '^.+\\.tsx?$': swc(true) },
  setupFiles: [path.join(import.meta.dirname, 'tools/jest/setup-node.js')],
});

/** Unit tests of a Node project: `*.spec.ts` next to the code, integration tests excluded. */
export function nodeProject(dir) {
  return {
    ...common(dir),
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['@cockpit/source', 'node', 'node-addons'] },
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    testPathIgnorePatterns: [...common(dir).testPathIgnorePatterns, '\\.int\\.spec\\.ts$'],
  };
}

/** Integration tests (`*.int.spec.ts`): real PostgreSQL, real processes. */
export function integrationProject(dir) {
  return {
    ...common(dir),
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['@cockpit/source', 'node', 'node-addons'] },
    testMatch: ['<rootDir>/**/*.int.spec.ts'],
    globalSetup: path.join(import.meta.dirname, 'tools/jest/postgres-global-setup.js'),
    globalTeardown: path.join(import.meta.dirname, 'tools/jest/postgres-global-teardown.js'),
    testTimeout: 60_000,
  };
}

/** Console component tests: jsdom with Node's fetch/streams kept (msw needs them). */
export function browserProject(dir) {
  return {
    ...common(dir),
    testEnvironment: 'jest-fixed-jsdom',
    testEnvironmentOptions: { customExportConditions: ['@cockpit/source', 'node', 'browser'] },
    testMatch: ['<rootDir>/src/**/*.spec.{ts,tsx}'],
    moduleNameMapper: {
      ...common(dir).moduleNameMapper,
      '\\.(css|svg|png|woff2?)$': path.join(import.meta.dirname, 'tools/jest/file-stub.cjs'),
    },
    setupFilesAfterEnv: [path.join(import.meta.dirname, 'tools/jest/setup-dom.js')],
  };
}
