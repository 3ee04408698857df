import { exec, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { inspect, promisify, types } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetGlobals } from '../../src/globals/reset-globals.js';
import { clearGlobalsBaseline, setGlobalsBaseline } from '../../src/globals/snapshot.js';
import { envTarget, envVersion, isEnvWatched, unwatchEnv, watchEnv } from '../../src/globals/env-watch.js';

declare global {
  // vitest rewrites `import.meta.env` to its own Proxy over the environment.
  interface ImportMeta {
    readonly env: Record<string, string | undefined>;
  }
}

const PRINT_VAR = 'process.stdout.write(String(process.env.CUSTODIAN_CHILD_VAR))';

afterEach(() => {
  vi.unstubAllEnvs();
  clearGlobalsBaseline();
  delete process.env.CUSTODIAN_CHILD_VAR;
  delete process.env.CUSTODIAN_ENV_N;
});

describe('watchEnv', () => {
  it('makes process.env a counting accessor returning the same object once a baseline is set, and a data property again when it is cleared', () => {
    const real = process.env;
    setGlobalsBaseline();
    expect(isEnvWatched()).toBe(true);
    expect(process.env).toBe(real);
    expect(types.isProxy(process.env)).toBe(false);
    expect(typeof Object.getOwnPropertyDescriptor(process, 'env')?.get).toBe('function');
    clearGlobalsBaseline();
    expect(Object.getOwnPropertyDescriptor(process, 'env')).toMatchObject({ value: real, writable: true, configurable: true });
    expect(isEnvWatched()).toBe(false);
  });

  it('leaves every operation on the environment exactly as it was: coercion, deletion, enumeration, cloning', () => {
    setGlobalsBaseline();
    const env = process.env as Record<string, unknown>;
    env.CUSTODIAN_ENV_N = 1;
    expect(process.env.CUSTODIAN_ENV_N).toBe('1');
    env.CUSTODIAN_ENV_N = undefined;
    expect(process.env.CUSTODIAN_ENV_N).toBe('undefined');
    expect('CUSTODIAN_ENV_N' in process.env).toBe(true);
    expect(Object.keys(process.env)).toContain('CUSTODIAN_ENV_N');
    expect(JSON.parse(JSON.stringify(process.env)).CUSTODIAN_ENV_N).toBe('undefined');
    expect({ ...process.env }.CUSTODIAN_ENV_N).toBe('undefined');
    expect(inspect(process.env)).toContain('CUSTODIAN_ENV_N');
    // A Proxy would throw a DataCloneError here: the reason custodian does not use one.
    expect(structuredClone(process.env).CUSTODIAN_ENV_N).toBe('undefined');
    expect(delete process.env.CUSTODIAN_ENV_N).toBe(true);
    expect('CUSTODIAN_ENV_N' in process.env).toBe(false);
  });

  it('counts every use of process.env, and nothing else', () => {
    setGlobalsBaseline();
    const start = envVersion()!;
    void envTarget().PATH;
    expect(envVersion()).toBe(start);
    void process.env.PATH;
    process.env.CUSTODIAN_ENV_N = 'a';
    expect(envVersion()).toBe(start + 2);
  });

  it('keeps assignment of process.env working: later reads and child processes get the new object', () => {
    setGlobalsBaseline();
    const real = process.env;
    process.env = { ...real, CUSTODIAN_CHILD_VAR: 'assigned' };
    try {
      expect(process.env).not.toBe(real);
      expect(execFileSync(process.execPath, ['-e', PRINT_VAR], { encoding: 'utf8' })).toBe('assigned');
    } finally {
      process.env = real;
    }
    expect(process.env).toBe(real);
  });

  it('lets child processes and workers inherit the current environment', async () => {
    setGlobalsBaseline();
    process.env.CUSTODIAN_CHILD_VAR = 'inherited';
    expect(execFileSync(process.execPath, ['-e', PRINT_VAR], { encoding: 'utf8' })).toBe('inherited');
    const { stdout } = await promisify(exec)(`"${process.execPath}" -e "${PRINT_VAR}"`);
    expect(stdout).toBe('inherited');
    const child = spawn(process.execPath, ['-e', PRINT_VAR]);
    let spawned = '';
    child.stdout.on('data', (chunk: Buffer) => (spawned += chunk.toString()));
    await once(child, 'close');
    expect(spawned).toBe('inherited');
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage(process.env.CUSTODIAN_CHILD_VAR)', { eval: true });
    const [message] = await once(worker, 'message');
    await worker.terminate();
    expect(message).toBe('inherited');
  });

  it('keeps vi.stubEnv and vi.unstubAllEnvs working, and the reset sees what they did', async () => {
    process.env.CUSTODIAN_CHILD_VAR = 'original';
    setGlobalsBaseline();
    await resetGlobals();
    vi.stubEnv('CUSTODIAN_ENV_N', 'stubbed');
    vi.stubEnv('CUSTODIAN_CHILD_VAR', 'changed');
    expect(process.env.CUSTODIAN_ENV_N).toBe('stubbed');
    expect(import.meta.env.CUSTODIAN_ENV_N).toBe('stubbed');
    const report = await resetGlobals();
    expect(report.env.added).toEqual(['CUSTODIAN_ENV_N']);
    expect(report.env.changed).toEqual(['CUSTODIAN_CHILD_VAR']);
    expect(process.env.CUSTODIAN_CHILD_VAR).toBe('original');
    // Deleting goes through vitest's own reference to the environment object; reading the old
    // value first goes through process.env, which is enough for the reset to look.
    vi.stubEnv('CUSTODIAN_CHILD_VAR', undefined);
    expect('CUSTODIAN_CHILD_VAR' in process.env).toBe(false);
    expect((await resetGlobals()).env.deleted).toEqual(['CUSTODIAN_CHILD_VAR']);
    vi.stubEnv('CUSTODIAN_ENV_N', 'again');
    vi.unstubAllEnvs();
    expect('CUSTODIAN_ENV_N' in process.env).toBe(false);
    expect(process.env.CUSTODIAN_CHILD_VAR).toBe('original');
  });

  it('is idempotent, and installs again over a data property holding an environment object', () => {
    setGlobalsBaseline();
    const accessor = Object.getOwnPropertyDescriptor(process, 'env');
    watchEnv();
    expect(Object.getOwnPropertyDescriptor(process, 'env')).toEqual(accessor);
    unwatchEnv();
    expect(isEnvWatched()).toBe(false);
    watchEnv();
    expect(Object.getOwnPropertyDescriptor(process, 'env')?.get).toBe(accessor?.get);
  });
});
