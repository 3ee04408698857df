import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPackage } from '../_built.js';

export { isAlive, ROOT } from '../../_process.js';
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The built CLI, with the integrations it injects next to it. */
export interface BuiltCli {
  readonly dir: string;
  readonly cli: string;
}

/** The CLI from the package built once for this test run (see `builtPackage()`). */
export async function builtCli(): Promise<BuiltCli> {
  const dir = await builtPackage();
  return { dir, cli: join(dir, 'cli.js') };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the built CLI in the fixtures directory. */
export function startCli(built: BuiltCli, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = FIXTURES): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [built.cli, ...args], {
    cwd,
    env: { ...process.env, CUSTODIAN_REPORT: '', NODE_OPTIONS: '', VITEST: '', VITEST_POOL_ID: '', VITEST_WORKER_ID: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(built: BuiltCli, args: readonly string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return startCli(built, args, env, cwd).done;
}

