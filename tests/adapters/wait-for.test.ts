import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { hostPort, waitForEvent, waitUntil } from '../../src/adapters/wait-for.js';

describe('waitForEvent', () => {
  it('resolves on the event and leaves no listener behind', async () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const waiting = waitForEvent(emitter, 'close', controller.signal);
    emitter.emit('close');
    await waiting;
    expect(emitter.listenerCount('close')).toBe(0);
  });

  it('rejects with the reason when the signal aborts, and removes its listener', async () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const waiting = waitForEvent(emitter, 'close', controller.signal);
    controller.abort('deadline');
    await expect(waiting).rejects.toBe('deadline');
    expect(emitter.listenerCount('close')).toBe(0);
    await expect(waitForEvent(emitter, 'close', controller.signal)).rejects.toBe('deadline');
  });
});

describe('waitUntil', () => {
  it('resolves once the condition holds, running tick before each check', async () => {
    let checks = 0;
    let ticks = 0;
    await waitUntil(() => ++checks >= 3, { tick: () => ticks++ });
    expect(checks).toBe(3);
    expect(ticks).toBe(3);
  });

  it('rejects with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = waitUntil(() => false, { signal: controller.signal });
    controller.abort('deadline');
    await expect(waiting).rejects.toBe('deadline');
  });
});

describe('hostPort', () => {
  it('formats IPv4, IPv6 and missing hosts', () => {
    expect(hostPort('127.0.0.1', 5432)).toBe('127.0.0.1:5432');
    expect(hostPort('::1', 80)).toBe('[::1]:80');
    expect(hostPort('db.local', undefined)).toBe('db.local');
    expect(hostPort(undefined, 80)).toBeUndefined();
  });
});
