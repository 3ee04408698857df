import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isAlive, ROOT } from '../_process.js';

const PREFIX = '.dist-e2e-run-';
const READY = '.ready';
const FAILED = '.failed';
const BUILD_TIMEOUT_MS = 240_000;

/** The directory of this vitest run's build: every test file of one run runs in a fork of the same vitest process. */
export function runBuildDir(vitestPid = process.ppid): string {
  return join(ROOT, `${PREFIX}${vitestPid}`);
}

/** Builds left behind by runs that were killed before their teardown. */
function removeStaleBuilds(): void {
  for (const name of readdirSync(ROOT)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(ROOT, name), { recursive: true, force: true });
  }
}

let pending: Promise<string> | undefined;

/**
 * The whole package built as it ships (tsup, both formats), once per vitest run and shared by
 * the e2e files that need it: the CLI finds dist/vitest.js and dist/jest.cjs next to itself, and
 * the integrations resolve vitest, jest and their own dependencies from the repository's
 * node_modules, as they do from a user's. The first file to ask builds; the others wait for it.
 * `vitest.config.ts` removes the build when the run ends.
 */
export function builtPackage(): Promise<string> {
  pending ??= obtain();
  return pending;
}

async function obtain(): Promise<string> {
  const dir = runBuildDir();
  let builder = false;
  try {
    mkdirSync(dir);
    builder = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (builder) {
    removeStaleBuilds();
    try {
      await promisify(execFile)('npx', ['tsup', '--out-dir', dir], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
      writeFileSync(join(dir, READY), '');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      writeFileSync(join(dir, FAILED), message);
      throw new Error(`building the package for the e2e tests failed: ${message}`);
    }
    return dir;
  }
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  while (!existsSync(join(dir, READY))) {
    if (existsSync(join(dir, FAILED))) throw new Error(`building the package for the e2e tests failed in another test file: ${readFileSync(join(dir, FAILED), 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${BUILD_TIMEOUT_MS} ms waiting for the e2e build in ${dir}`);
    await delay(100);
  }
  return dir;
}
