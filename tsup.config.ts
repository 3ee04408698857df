import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';

const core = {
  index: 'src/index.ts',
  typeorm: 'src/typeorm/index.ts',
  cli: 'src/cli/main.ts',
};

// The integrations are built on their own: a small entry and the two chunks the integrations
// share (custodian/vitest also its setup chunk; the code that closes leaked handles is loaded on
// the first leak). Every test file of
// a vitest or jest run loads its setup file into a fresh worker, and Node 20's ESM loader (with
// vitest resolving each import of a setup file through its main process) costs about 0.7 ms per
// module; the core build's chunking (one chunk per set of entries sharing code) gave
// custodian/vitest six chunks to load. The integrations and the core entry are then two copies of
// the library in one process: like the ESM and CJS builds, they share every piece of state
// through the process-wide slot (src/_internal/global-slot.ts), and custodian's own errors are
// told apart by their codes (isCustodianError), never by instanceof.
const integrations = {
  vitest: 'src/integrations/vitest.ts',
  // An entry of its own so that the bundler keeps it out of custodian/vitest's setup file, which
  // vite transforms (see src/integrations/vitest-setup.ts); not a public subpath.
  'vitest-setup': 'src/integrations/vitest-setup.ts',
  jest: 'src/integrations/jest.ts',
  mocha: 'src/integrations/mocha.ts',
  'node-test': 'src/integrations/node-test.ts',
};

const shared: Options = {
  dts: true,
  sourcemap: true,
  clean: false,
  target: 'node20',
  platform: 'node',
  // node:test exists only with its prefix; tsup strips prefixes unless told not to.
  removeNodeProtocol: false,
  splitting: true,
  treeshake: true,
  // The frameworks and TypeORM are the user's own copies (optional peer dependencies): bundling
  // them would give the integrations a second vitest that is not the one running the tests.
  external: ['vitest', 'vitest/suite', 'jest', '@jest/globals', 'mocha', 'typeorm'],
};

/**
 * Keeps custodian/vitest's import of its setup as an import of the built `vitest-setup` entry
 * instead of bundling it, which would list the setup's chunks in the setup file itself. vitest runs
 * a setup file through its module runner, which asks its main process about every module the file
 * imports (one round trip each, and a resolve in vite's transform of the file); the setup entry's
 * own imports are Node's. One import instead of three: 2-3 ms less per test file, 8 ms less for
 * the first (bench/README.md).
 */
function setupEntryExternal(extension: '.js' | '.cjs'): Plugin {
  return {
    name: 'custodian-vitest-setup-entry',
    setup(build) {
      build.onResolve({ filter: /^\.\/vitest-setup\.js$/ }, (args) =>
        args.importer.endsWith(join('src', 'integrations', 'vitest.ts')) ? { path: `./vitest-setup${extension}`, external: true } : undefined,
      );
    },
  };
}

export default defineConfig([
  // __CUSTODIAN_CJS__: how src/leaks/handle-tracker.ts loads the code that closes leaked handles.
  // p-limit (and its yocto-queue) are ESM-only, so `require('custodian')` would fail on
  // Node 20 without require(esm): the CJS builds carry their own copy of them.
  ...[core, integrations].flatMap((entry): Options[] => [
    { ...shared, entry, format: ['esm'], define: { __CUSTODIAN_CJS__: 'false' }, esbuildPlugins: [setupEntryExternal('.js')] },
    {
      ...shared,
      entry,
      format: ['cjs'],
      noExternal: ['p-limit', 'yocto-queue'],
      define: { __CUSTODIAN_CJS__: 'true' },
      esbuildPlugins: [setupEntryExternal('.cjs')],
    },
  ]),
]);
