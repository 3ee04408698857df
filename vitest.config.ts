import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tests/versions holds fixture suites for other framework majors, run by tests/e2e/versions.test.ts.
    exclude: ['**/node_modules/**', 'tests/**/fixtures/**', 'tests/versions/**'],
    // Child processes rather than threads: the tests open real sockets, spawn processes and
    // send signals, and each file must start with a clean process.
    pool: 'forks',
    // Removes the package build that the e2e files share (tests/e2e/_built.ts).
    globalSetup: ['tests/e2e/_global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Unhandled rejections fail the run (vitest's default, kept explicit on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
