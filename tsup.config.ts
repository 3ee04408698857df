import { defineConfig, type Options } from 'tsup';

const entry = {
  index: 'src/index.ts',
  vitest: 'src/integrations/vitest.ts',
  jest: 'src/integrations/jest.ts',
  mocha: 'src/integrations/mocha.ts',
  'node-test': 'src/integrations/node-test.ts',
  typeorm: 'src/typeorm/index.ts',
  cli: 'src/cli/main.ts',
};

const shared: Options = {
  entry,
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

export default defineConfig([
  // __CUSTODIAN_CJS__: how src/leaks/handle-tracker.ts loads the code that closes leaked handles.
  { ...shared, format: ['esm'], define: { __CUSTODIAN_CJS__: 'false' } },
  // p-limit (and its yocto-queue) are ESM-only, so `require('custodian')` would fail on
  // Node 20 without require(esm): the CJS build carries its own copy of them.
  { ...shared, format: ['cjs'], noExternal: ['p-limit', 'yocto-queue'], define: { __CUSTODIAN_CJS__: 'true' } },
]);
