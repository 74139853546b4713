/**
 * One test command (`npm test`) runs every layer. Each layer is a jest project so it can
 * also be run alone: `npx jest --selectProjects unit`.
 */
// Type errors are caught by `npm run typecheck`; tests transpile each file alone (fast).
const tsJest = ['ts-jest', { diagnostics: false }];
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    project('unit'),
    project('contract'),
    project('infra'),
    project('integration', { globalSetup: '<rootDir>/test/integration/global-setup.ts', globalTeardown: '<rootDir>/test/integration/global-teardown.ts' }),
    project('workflow'),
  ],
};
