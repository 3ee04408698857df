import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcTreeReader, PsTreeReader, createTreeReader } from '../../src/cli/process-tree.js';
import { TreeSampler } from '../../src/cli/sampler.js';

const MiB = 1024 * 1024;
// A parent that starts a child holding 64 MiB; both print their pid and wait to be killed.
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', "globalThis.b = Buffer.alloc(64 * 1024 * 1024, 1); console.log(process.pid); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.once('data', (pid) => console.log(process.pid + ' ' + String(pid).trim()));
setInterval(() => {}, 1000);
`;

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

async function startTree(): Promise<{ parent: number; child: number }> {
  const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  started.push(parent.pid!);
  const [data] = (await once(parent.stdout!, 'data')) as [Buffer];
  const [parentPid, childPid] = String(data).trim().split(' ').map(Number);
  return { parent: parentPid!, child: childPid! };
}

describe('ProcTreeReader', () => {
  it.runIf(process.platform === 'linux')('finds every descendant and sums their resident memory', async () => {
    const tree = await startTree();
    const reading = new ProcTreeReader().readSync(tree.parent);
    expect(reading.pids).toEqual([tree.parent, tree.child]);
    expect(reading.rss).toBeGreaterThan(64 * MiB);
  });
});

describe('PsTreeReader', () => {
  it('agrees with /proc on the same tree (pidtree + pidusage, the macOS path)', async () => {
    const tree = await startTree();
    const ps = await new PsTreeReader().read(tree.parent);
    expect([...ps.pids].sort()).toEqual([tree.parent, tree.child].sort());
    expect(ps.rss).toBeGreaterThan(64 * MiB);
    if (process.platform === 'linux') {
      const proc = new ProcTreeReader().readSync(tree.parent);
      expect(Math.abs(ps.rss - proc.rss) / proc.rss).toBeLessThan(0.1);
    }
  });
});

describe('TreeSampler', () => {
  it('samples until stopped, remembers the pids it saw and measures its own CPU', async () => {
    const tree = await startTree();
    const sampler = new TreeSampler(20, performance.now(), createTreeReader());
    const seen: number[] = [];
    sampler.start(tree.parent, (sample) => seen.push(sample.rss));
    while (seen.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    await sampler.stop();
    const count = sampler.samples.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sampler.samples.length).toBe(count);
    expect(sampler.seenPids).toEqual(expect.arrayContaining([tree.parent, tree.child]));
    expect(sampler.samples.every((sample) => sample.processes === 2 && sample.rss > 64 * MiB)).toBe(true);
    expect(sampler.cost()).toMatchObject({ ticks: count });
    expect(sampler.cost().cpuMs).toBeGreaterThan(0);
  });
});
