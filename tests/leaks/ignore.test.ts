import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import type { LeakFilter } from '../../src/leaks/types.js';
import { closeServer, listeningServer } from './_resources.js';

function startPolling(): NodeJS.Timeout {
  return setInterval(() => undefined, 1000);
}

async function leakBoth(ignore: LeakFilter[]): Promise<string[]> {
  const tracker = trackHandles({ ignore });
  tracker.begin('leaks a timer and a server');
  const interval = startPolling();
  const server = await listeningServer();
  try {
    return (await tracker.end()).leaks.map((leak) => leak.kind);
  } finally {
    tracker.stop();
    clearInterval(interval);
    await closeServer(server);
  }
}

describe('trackHandles({ ignore })', () => {
  it('ignores by handle type', async () => {
    expect(await leakBoth([{ type: 'Timeout' }])).toEqual(['server']);
    expect(await leakBoth([{ type: /^Serv/ }])).toEqual(['timer']);
  });

  it('ignores by kind and by description', async () => {
    expect(await leakBoth([{ kind: 'server' }])).toEqual(['timer']);
    expect(await leakBoth([{ description: 'interval 1000 ms' }])).toEqual(['server']);
  });

  it('ignores by a frame of the creation stack, without reporting stacks', async () => {
    expect(await leakBoth(['startPolling'])).toEqual(['server']);
    expect(await leakBoth([{ frame: /startPolling/ }])).toEqual(['server']);
    const tracker = trackHandles({ ignore: [{ frame: 'no such frame' }] });
    tracker.begin('stacks stay private');
    const interval = startPolling();
    const { leaks } = await tracker.end();
    tracker.stop();
    clearInterval(interval);
    expect(leaks[0]?.stack).toBeUndefined();
  });

  it('ignores with a predicate', async () => {
    expect(await leakBoth([(leak) => leak.description.startsWith('server')])).toEqual(['timer']);
  });

  it('rejects a filter of the wrong type', () => {
    expect(() => trackHandles({ ignore: [42 as never] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => trackHandles({ ignore: 'x' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
