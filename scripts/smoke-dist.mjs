// Loads every public subpath of the built package the way a user's project would (through a
// symlink in its own node_modules), with `import` and with `require`:
// - the core entry and custodian/typeorm in a plain Node process;
// - each test framework integration inside its own framework, since it installs hooks there.
// Also checks that the ESM and CJS builds share one process-wide default registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const scratch = mkdtempSync(join(tmpdir(), 'custodian-smoke-'));

function write(file, text) {
  mkdirSync(dirname(join(scratch, file)), { recursive: true });
  writeFileSync(join(scratch, file), text);
}

function run(label, command, args, env = {}) {
  try {
    execFileSync(command, args, { cwd: scratch, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CUSTODIAN_LEAKS: 'warn', ...env } });
    console.log(`ok   ${label}`);
  } catch (error) {
    console.error(`FAIL ${label}\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    process.exitCode = 1;
  }
}

/** The package's own modules a built file imports or requires at load time (`./name`), in order. */
function ownImports(text) {
  return [...text.matchAll(/(?:^import\s[^'"]*|^import\s*|require\()['"]\.\/([^'"]+)['"]/gm)].map((match) => match[1]);
}

/** Prints `ok` or `FAIL` for a property of the build; `expected` says what a failure missed. */
function check(passed, label, expected) {
  if (passed) console.log(`ok   ${label}`);
  else {
    console.error(`FAIL ${label} (${expected})`);
    process.exitCode = 1;
  }
}

// A test that proves the integration's hooks ran: the registry is emptied after each test.
const probe = (style) => `${style === 'esm' ? "import { registry } from 'custodian';" : "const { registry } = require('custodian');"}
let first = true;
for (const name of ['registers a timer', 'sees it closed']) {
  test(name, () => {
    if (first) { first = false; registry.register(setInterval(() => {}, 1000)); return; }
    if (registry.size !== 0) throw new Error('the integration did not clean up after the first test');
  });
}
`;

try {
  mkdirSync(join(scratch, 'node_modules'));
  symlinkSync(root, join(scratch, 'node_modules', 'custodian'), 'dir');
  write('package.json', '{ "name": "smoke", "private": true }\n');

  write('core.mjs', `import * as core from 'custodian';
import * as typeorm from 'custodian/typeorm';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('custodian');
const cjsTypeorm = require('custodian/typeorm');
require('custodian/package.json');
for (const [name, entry] of Object.entries({ core, cjs })) if (typeof entry.ResourceRegistry !== 'function') throw new Error(name + ' lacks ResourceRegistry');
for (const [name, entry] of Object.entries({ typeorm, cjsTypeorm })) if (typeof entry.trackDataSources !== 'function') throw new Error(name + ' lacks trackDataSources');
if (cjs.registry !== core.registry) throw new Error('the ESM and CJS builds do not share the default registry');
if (!cjs.isCustodianError(new core.CustodianError('ERR_SHUTDOWN', 'x'))) throw new Error('isCustodianError fails across builds');
`);
  run('import and require: custodian, custodian/typeorm, custodian/package.json', process.execPath, ['core.mjs']);

  // vitest is ESM-only and refuses require(), so custodian/vitest is loaded the way vitest loads
  // setup files: with import.
  write('vitest/smoke.test.mjs', `import { test } from 'vitest';\n${probe('esm')}`);
  write('vitest.config.mjs', "export default { test: { include: ['vitest/*.test.mjs'], setupFiles: ['custodian/vitest'] } };\n");
  // The setup file hands vitest to the setup, which Node loads natively beside it: in the thread
  // pools too, and in the vm pools, which load it inside the test file's context.
  for (const pool of ['forks', 'threads', 'vmForks', 'vmThreads']) {
    run(`import: custodian/vitest in vitest (pool ${pool})`, bin('vitest'), ['run', '--config', 'vitest.config.mjs', '--pool', pool]);
  }

  write('jest/smoke.test.js', probe('cjs'));
  write('jest.config.cjs', "module.exports = { rootDir: 'jest', setupFilesAfterEnv: ['custodian/jest'] };\n");
  run('require: custodian/jest in jest', bin('jest'), ['--config', 'jest.config.cjs']);

  write('mocha/smoke.spec.cjs', probe('cjs').replaceAll('test(', 'it('));
  write('mocha/smoke.spec.mjs', probe('esm').replaceAll('test(', 'it('));
  // mocha resolves a bare --require from its own location, which here is not beside custodian:
  // small files in the project stand in for the bare names a user's project would use.
  write('require-mocha.cjs', "module.exports = require('custodian/mocha');\n");
  run('require: custodian/mocha in mocha', bin('mocha'), ['--require', './require-mocha.cjs', 'mocha/smoke.spec.cjs']);
  write('import-mocha.mjs', "import 'custodian/mocha';\nexport { mochaHooks } from 'custodian/mocha';\n");
  run('import: custodian/mocha in mocha', bin('mocha'), ['--require', './import-mocha.mjs', 'mocha/smoke.spec.mjs']);

  write('node-test/smoke.test.mjs', `import { test } from 'node:test';\n${probe('esm')}`);
  write('node-test/smoke.test.cjs', `const { test } = require('node:test');\n${probe('cjs')}`);
  run('import: custodian/node-test in node --test', process.execPath, ['--test', '--import', 'custodian/node-test', 'node-test/smoke.test.mjs']);
  run('require: custodian/node-test in node --test', process.execPath, ['--test', '--require', 'custodian/node-test', 'node-test/smoke.test.cjs']);

  // Each test file's worker loads its framework's integration: Node 20's ESM loader and vitest's
  // resolution of every import of a setup file cost about 0.7 ms per module, so the integrations
  // are built to load an entry and two chunks (tsup.config.ts). custodian/vitest has one module
  // more: its setup entry, kept out of the setup file that vite transforms in its main process
  // before the first worker can start (src/integrations/vitest-setup.ts). The closing code of
  // leaked handles is the only thing loaded later, on the first leak.
  for (const [entry, most] of [['vitest.js', 4], ['jest.cjs', 3], ['mocha.js', 3], ['node-test.js', 3]]) {
    const loaded = new Set();
    const visit = (file) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const own of ownImports(readFileSync(join(root, 'dist', file), 'utf8'))) visit(own);
    };
    visit(entry);
    const label = `custodian/${entry.replace(/\.c?js$/, '')} loads ${loaded.size} modules of its own at startup`;
    check(loaded.size <= most, label, `at most ${most} expected: ${[...loaded].join(', ')}`);
  }

  // vite transforms custodian/vitest's setup file in vitest's main process before the first worker
  // can start, imports, source map and all (19-31 ms when it held the whole integration): it stays
  // a few lines that hand vitest to the setup, which Node loads natively.
  {
    const entry = readFileSync(join(root, 'dist', 'vitest.js'), 'utf8');
    const code = entry.replace(/^\/\/# sourceMappingURL=.*$/gm, '').trim();
    const bytes = Buffer.byteLength(code);
    check(bytes <= 1024, `custodian/vitest's setup file is ${bytes} bytes of code`, 'at most 1024 expected: keep the setup in src/integrations/vitest-setup.ts');
    // vitest's module runner asks its main process about each import of the setup file, one round
    // trip each; Node loads the setup entry's own imports. One of ours: the setup entry.
    const own = ownImports(code);
    check(own.length === 1 && own[0] === 'vitest-setup.js', `custodian/vitest's setup file imports ${own.join(', ')}`, 'only ./vitest-setup.js expected (tsup.config.ts)');
  }

  if (process.exitCode) console.error(`smoke test FAILED on Node ${process.version}`);
  else console.log(`smoke test passed on Node ${process.version}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
