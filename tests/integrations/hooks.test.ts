import { afterEach, describe, expect, it } from 'vitest';
import { TestSession } from '../../src/integrations/_hooks.js';
import { clearGlobalsBaseline } from '../../src/globals/snapshot.js';
import { setMemoryMonitor } from '../../src/memory/global-monitor.js';

// Writes through a saved reference are not seen by the cheap per-test check.
const savedEnv = process.env;

afterEach(() => {
  delete process.env.CUSTODIAN_HOOKS_TEST;
  clearGlobalsBaseline();
  setMemoryMonitor(undefined);
});

describe('TestSession', () => {
  it('restores at the end of the file what got past the per-test check, and says so', async () => {
    const session = new TestSession({ file: 'hooks.fixture' });
    session.start();
    session.beginTest('clean');
    await session.endTest('clean');
    // After the last test (an afterAll, say), through a reference no per-test check watches.
    savedEnv.CUSTODIAN_HOOKS_TEST = 'secret-value';
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      await session.finish();
    } finally {
      console.warn = warn;
    }
    expect(process.env.CUSTODIAN_HOOKS_TEST).toBeUndefined();
    expect(warnings.join('\n')).toContain('environment variable CUSTODIAN_HOOKS_TEST added');
    expect(warnings.join('\n')).not.toContain('secret-value');
  });

  it('stays silent for a clean file', async () => {
    const session = new TestSession({ file: 'clean.fixture' });
    session.start();
    session.beginTest('clean');
    await session.endTest('clean');
    expect(session.summary()).toBeUndefined();
    await session.finish();
  });
});
