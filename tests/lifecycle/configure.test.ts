import { afterEach, describe, expect, it } from 'vitest';
import { configure, currentOptions, optionsFromEnvironment, resetConfiguration } from '../../src/lifecycle/configure.js';
import { InvalidOptionError } from '../../src/lifecycle/invalid-option-error.js';
import { uninstall } from '../../src/lifecycle/install.js';

const VARIABLES = Object.keys(process.env).filter((name) => name.startsWith('CUSTODIAN_'));

afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('CUSTODIAN_') && !VARIABLES.includes(name)) delete process.env[name];
  resetConfiguration();
  uninstall();
});

function caught(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (error) {
    return error as InvalidOptionError;
  }
  throw new Error('expected a throw');
}

describe('configure', () => {
  it('starts from the documented defaults', () => {
    expect(currentOptions()).toEqual({
      leaks: 'dispose',
      stacks: false,
      ignore: [],
      memory: { gc: 'auto' },
      timeouts: { runner: 5000, registry: Number.POSITIVE_INFINITY },
      globals: { ignore: {} },
    });
  });

  it('merges call after call, nested objects key by key, and undefined goes back to the default', () => {
    configure({ leaks: 'fail', timeouts: { runner: 100 } });
    configure({ stacks: true, timeouts: { registry: 2000 } });
    expect(currentOptions()).toMatchObject({ leaks: 'fail', stacks: true, timeouts: { runner: 100, registry: 2000 } });
    configure({ leaks: undefined, memory: false });
    expect(currentOptions()).toMatchObject({ leaks: 'dispose', memory: false });
    configure({ memory: { gc: 'always', warnBytes: 1024 } });
    expect(currentOptions().memory).toEqual({ gc: 'always', warnBytes: 1024 });
  });

  it('rejects an unknown option with a TypeError naming it and the known options', () => {
    const error = caught(() => configure({ leak: 'warn' } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.option).toBe('leak');
    expect(error.allowed).toEqual(['leaks', 'stacks', 'ignore', 'memory', 'timeouts', 'globals']);
  });

  it('rejects an unknown nested option with its path', () => {
    expect(caught(() => configure({ timeouts: { runer: 5 } } as never))).toMatchObject({ option: 'timeouts.runer', allowed: ['runner', 'registry'] });
    expect(caught(() => configure({ memory: { gc: 'auto', watermark: 1 } } as never))).toMatchObject({ option: 'memory.watermark' });
  });

  it('rejects a wrong type or value with a TypeError naming the option and the allowed values', () => {
    expect(caught(() => configure({ leaks: 'loud' } as never))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', option: 'leaks', allowed: ["'off'", "'warn'", "'dispose'", "'fail'"] });
    expect(caught(() => configure({ stacks: 'yes' } as never))).toMatchObject({ option: 'stacks', allowed: ['true', 'false'] });
    expect(caught(() => configure({ timeouts: { runner: -1 } }))).toMatchObject({ option: 'timeouts.runner' });
    expect(caught(() => configure({ timeouts: { registry: Number.NaN } }))).toMatchObject({ option: 'timeouts.registry' });
    expect(caught(() => configure({ memory: { gc: 'sometimes' } } as never))).toMatchObject({ option: 'memory.gc' });
    expect(caught(() => configure({ memory: { failBytes: 1.5 } }))).toMatchObject({ option: 'memory.failBytes' });
    expect(caught(() => configure({ ignore: [42] } as never))).toMatchObject({ option: 'ignore[0]' });
    expect(caught(() => configure({ ignore: [{ kind: 'spaceship' }] } as never))).toMatchObject({ option: 'ignore[0].kind' });
    expect(caught(() => configure({ globals: { ignore: { env: [1] } } } as never))).toMatchObject({ option: 'globals.ignore.env[0]' });
    expect(caught(() => configure(null as never))).toMatchObject({ option: 'options' });
    expect(caught(() => configure([] as never))).toMatchObject({ option: 'options' });
  });

  it('accepts every documented leak filter shape', () => {
    const filters = ['node_modules/pg', /undici/, (leak: { type: string }) => leak.type === 'Timeout', { type: 'FSWatcher', kind: 'watcher' as const }];
    configure({ ignore: filters as never });
    expect(currentOptions().ignore).toEqual(filters);
  });

  it('changes nothing when it throws', () => {
    configure({ leaks: 'warn' });
    caught(() => configure({ leaks: 'fail', stacks: 'no' } as never));
    expect(currentOptions().leaks).toBe('warn');
  });

  it('reads the CUSTODIAN_* variables, and configure() wins over them', () => {
    process.env.CUSTODIAN_LEAKS = 'fail';
    process.env.CUSTODIAN_STACKS = 'true';
    process.env.CUSTODIAN_IGNORE = 'Timeout, FSWatcher';
    process.env.CUSTODIAN_MEMORY = 'never';
    process.env.CUSTODIAN_MEMORY_FAIL_BYTES = '1048576';
    process.env.CUSTODIAN_TIMEOUT_MS = '250';
    process.env.CUSTODIAN_REGISTRY_TIMEOUT_MS = 'Infinity';
    expect(currentOptions()).toEqual({
      leaks: 'fail',
      stacks: true,
      ignore: [{ type: 'Timeout' }, { type: 'FSWatcher' }],
      memory: { gc: 'never', failBytes: 1048576 },
      timeouts: { runner: 250, registry: Number.POSITIVE_INFINITY },
      globals: { ignore: {} },
    });
    configure({ leaks: 'warn', timeouts: { runner: 10 } });
    expect(currentOptions()).toMatchObject({ leaks: 'warn', timeouts: { runner: 10, registry: Number.POSITIVE_INFINITY } });
  });

  it('treats CUSTODIAN_MEMORY=off as memory: false and empty variables as unset', () => {
    expect(optionsFromEnvironment({ CUSTODIAN_MEMORY: 'off', CUSTODIAN_LEAKS: '' })).toEqual({ memory: false });
  });

  it('rejects a bad variable with a TypeError naming the variable and its values', () => {
    expect(caught(() => optionsFromEnvironment({ CUSTODIAN_LEAKS: 'loud' }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', option: 'CUSTODIAN_LEAKS', allowed: ['off', 'warn', 'dispose', 'fail'] });
    expect(caught(() => optionsFromEnvironment({ CUSTODIAN_STACKS: 'maybe' }))).toMatchObject({ option: 'CUSTODIAN_STACKS' });
    expect(caught(() => optionsFromEnvironment({ CUSTODIAN_TIMEOUT_MS: '5s' }))).toMatchObject({ option: 'CUSTODIAN_TIMEOUT_MS' });
    expect(caught(() => optionsFromEnvironment({ CUSTODIAN_MEMORY: 'sometimes' }))).toMatchObject({ option: 'CUSTODIAN_MEMORY' });
    expect(caught(() => optionsFromEnvironment({ CUSTODIAN_MEMORY_WARN_BYTES: '1MB' }))).toMatchObject({ option: 'CUSTODIAN_MEMORY_WARN_BYTES' });
    process.env.CUSTODIAN_LEAKS = 'loud';
    expect(caught(() => configure({ stacks: true }))).toMatchObject({ option: 'CUSTODIAN_LEAKS' });
  });

  it('installs the exit and signal handlers', () => {
    uninstall();
    const before = process.listenerCount('SIGTERM');
    configure({});
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
  });
});
