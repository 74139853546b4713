/**
 * One test command (`npm test`) runs every layer. Each layer is a jest project so it can
 * also be run alone: `npx jest --selectProjects unit`.
 */
// The SDK's notice that future releases need Node 22 is for whoever maintains the runtime; it
// would otherwise repeat in every test worker. (Lambda runs Node 22+.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
