// Jest runs in native ESM mode (see package.json: --experimental-vm-modules) because ky and
// supabase-js ship ESM; @swc/jest only strips types, `npm run typecheck` does the checking.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Workspace packages resolve to their TypeScript sources, so tests need no build.
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', '@leadsync/source'] },
  testMatch: [
    '<rootDir>/apps/*/src/**/*.test.ts',
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/tooling/*/src/**/*.test.ts',
    '<rootDir>/tests/**/*.test.ts',
  ],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
