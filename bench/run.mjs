// Runs every benchmark (bench/<name>.bench.mjs) in its own process, or the ones named:
//   npm run bench               all of them
//   npm run bench -- registry   only bench/registry.bench.mjs
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here).filter((file) => file.endsWith('.bench.mjs')).map((file) => file.replace('.bench.mjs', ''));
const names = wanted.length > 0 ? wanted : all;
let failed = false;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark "${name}"; there are: ${all.join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  console.log(`\n=== ${name}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.bench.mjs`)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
if (failed) process.exitCode = 1;
