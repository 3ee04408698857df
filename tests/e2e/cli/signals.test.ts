import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/cli/report-types.js';
import { builtCli, isAlive, startCli, type BuiltCli } from './_cli.js';

let built: BuiltCli;

beforeAll(async () => {
  built = await builtCli();
}, 300_000);

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

describe('custodian run, interrupted', () => {
  it('on SIGTERM stops a hanging suite, leaves no process of its tree, and writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-cli-hang-'));
    const marker = join(dir, 'started');
    const json = join(dir, 'report.json');
    const { child, done } = startCli(built, ['run', '--sample-interval', '0.1', '--json', json, '--', 'vitest', 'run', 'hangs.test.mjs'], {
      FIXTURE_MARKER: marker,
    });
    await waitFor(() => existsSync(marker), 'the hanging test to start');
    const workerPid = Number(readFileSync(marker, 'utf8'));
    // Let the sampler see the worker at least once.
    await delay(500);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).not.toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.run.interrupted).toBe(true);
    expect(report.run.pids).toContain(workerPid);
    expect(report.samples.length).toBeGreaterThan(0);
    await waitFor(() => report.run.pids.every((pid) => !isAlive(pid)), 'every process of the tree to be gone', 15_000);
    expect(isAlive(workerPid)).toBe(false);
  });

  it('kills the whole tree on a second Ctrl-C when the command ignores the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-cli-ignore-'));
    const marker = join(dir, 'pids');
    const json = join(dir, 'report.json');
    const { child, done } = startCli(built, ['run', '--sample-interval', '0.1', '--json', json, '--', process.execPath, 'ignores-signals.cjs', marker]);
    await waitFor(() => existsSync(marker) && readFileSync(marker, 'utf8').includes(' '), 'the command and its child to start');
    const pids = readFileSync(marker, 'utf8').split(' ').map(Number);
    await delay(300);
    child.kill('SIGINT');
    await delay(500);
    expect(pids.every(isAlive)).toBe(true);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(128 + 9);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'both processes to be gone', 15_000);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.run).toMatchObject({ interrupted: true, signal: 'SIGKILL' });
    expect(report.run.pids).toEqual(expect.arrayContaining(pids));
  });
});
