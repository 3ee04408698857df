// The fixture suite's config for this directory's vitest (run by tests/e2e/versions.test.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The built package, copied into ./node_modules/custodian by the test, resolved through its
// exports map as a user's project resolves it. Not left to vitest as a bare setupFiles name:
// vitest 3 tries the parent of `root` first, which lies inside the custodian repository, whose
// package.json names itself custodian, so the name would resolve to the repository's own dist/.
const setup = fileURLToPath(import.meta.resolve('custodian/vitest'));
const copy = fileURLToPath(new URL('node_modules/custodian/', import.meta.url));
if (!setup.startsWith(copy)) throw new Error(`custodian/vitest resolved to ${setup}, not into ${copy}`);

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    setupFiles: [setup],
    pool: 'forks',
  },
});
