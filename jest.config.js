/**
 * One test command (`npm test`) runs every layer. Each layer is a jest project so it can
 * also be run alone: `npx jest --selectProjects unit`.
 */
// The SDK's notice that future releases need Node 22 is for whoever maintains the runtime; it
// would otherwise repeat in every test worker. (Lambda runs Node 22+.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Type errors are caught by `npm run typecheck`; tests transpile each file alone (fast).
const tsJest = ['ts-jest', { diagnostics: false }];
// @middy/core ships only ES modules; jest's CommonJS runtime needs it transpiled (esbuild and tsx
// load it as it is).
const esmToCjs = ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true } }];
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest, '^.+/node_modules/@middy/.+\\.js$': esmToCjs },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

/** The layers above the Twilio sandbox: one DynamoDB Local per run, and the sandbox held to Twilio's specs. */
const aboveTheSandbox = {
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/sandbox-conformance.ts'],
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    project('unit'),
    project('contract'),
    // The platform stack deploys the built portal: built once before the workers synthesise it.
    project('infra', { globalSetup: '<rootDir>/test/infra/global-setup.ts' }),
    project('integration', aboveTheSandbox),
    project('workflow', aboveTheSandbox),
    // Debian's Chromium driving the portal against the local platform (it builds the portal first).
    project('browser', { ...aboveTheSandbox, globalSetup: '<rootDir>/test/browser/global-setup.ts' }),
  ],
};
