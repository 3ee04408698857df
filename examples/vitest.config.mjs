// The example's vitest config. It does not load custodian's vitest integration: `custodian run`
// injects it. Run from the repository root: npm run example (see README.md).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
// In a real project `custodian` is installed from npm; here it is this repository's build.
const dist = process.env.CUSTODIAN_DIST ? `${process.env.CUSTODIAN_DIST}/` : here('../dist/');

export default defineConfig({
  resolve: {
    alias: [
      { find: /^custodian$/, replacement: `${dist}index.js` },
      { find: /^custodian\/typeorm$/, replacement: `${dist}typeorm.js` },
    ],
  },
  test: {
    // Scanned from here, whatever the working directory (`custodian run` sets --root to it).
    dir: here('.'),
    include: ['test/**/*.test.mjs'],
    setupFiles: [here('./setup.mjs')],
  },
});
