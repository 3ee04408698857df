import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
const DEBUG_ENTRY = require.resolve('debug');

// The logger decides once, when the module loads, as `debug` itself does: each case loads a
// fresh copy with the environment it needs.
async function freshLogger(debugValue: string | undefined): Promise<typeof import('../../src/_internal/debug.js')> {
  vi.resetModules();
  if (debugValue === undefined) vi.stubEnv('DEBUG', undefined);
  else vi.stubEnv('DEBUG', debugValue);
  return import('../../src/_internal/debug.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('logger', () => {
  it('stays silent, and does not load debug, when DEBUG is not set', async () => {
    delete require.cache[DEBUG_ENTRY];
    const { logger } = await freshLogger(undefined);
    const write = vi.spyOn(process.stderr, 'write');
    const log = logger('registry');
    log('cleanup of "%s": %d resources', 'default', 3);
    expect(log.enabled).toBe(false);
    expect(write).not.toHaveBeenCalled();
    expect(require.cache[DEBUG_ENTRY]).toBeUndefined();
  });

  it('logs under custodian:<area> through debug when DEBUG names it', async () => {
    const { logger } = await freshLogger('custodian:registry');
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const log = logger('registry');
    expect(log.enabled).toBe(true);
    log('cleanup of "%s": %d resources', 'default', 3);
    expect(lines.join('')).toContain('custodian:registry');
    expect(lines.join('')).toContain('cleanup of "default": 3 resources');
    expect(require.cache[DEBUG_ENTRY]).toBeDefined();
  });

  it('leaves areas the DEBUG patterns do not name disabled', async () => {
    const { logger } = await freshLogger('custodian:registry');
    expect(logger('memory').enabled).toBe(false);
  });
});
