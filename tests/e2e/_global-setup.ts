import { rmSync } from 'node:fs';
import { runBuildDir } from './_built.js';

/** Removes the package build the e2e files of this run shared (see `builtPackage()`). */
export function teardown(): void {
  rmSync(runBuildDir(process.pid), { recursive: true, force: true });
}
