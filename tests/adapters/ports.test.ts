import { once } from 'node:events';
import { BroadcastChannel, MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { broadcastChannelAdapter, messageChannelAdapter, messagePortAdapter } from '../../src/adapters/ports.js';
import { baselineResources, expectResourcesBack } from './helpers.js';

describe('messagePortAdapter', () => {
  it('closes a listening port, which disconnects its peer too', async () => {
    const baseline = await baselineResources();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', () => undefined);
    port2.on('message', () => undefined);
    expect(findAdapter(port1)).toBe(messagePortAdapter);
    const peerClosed = once(port2, 'close');
    const registry = new ResourceRegistry();
    registry.register(port1);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'port', phase: 'graceful' });
    await peerClosed;
    await expectResourcesBack(baseline, ['MessagePort']);
  });

  it('reports a port it closed before as closed', async () => {
    const { port1 } = new MessageChannel();
    const registry = new ResourceRegistry();
    const first = registry.register(port1);
    await first.dispose();
    registry.register(port1);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
  });
});

describe('messageChannelAdapter', () => {
  it('closes both ports of a channel', async () => {
    const baseline = await baselineResources();
    const channel = new MessageChannel();
    channel.port1.on('message', () => undefined);
    channel.port2.on('message', () => undefined);
    expect(findAdapter(channel)).toBe(messageChannelAdapter);
    const closed = Promise.all([once(channel.port1, 'close'), once(channel.port2, 'close')]);
    const registry = new ResourceRegistry();
    registry.register(channel);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'port', phase: 'graceful' });
    await closed;
    await expectResourcesBack(baseline, ['MessagePort']);
  });
});

describe('broadcastChannelAdapter', () => {
  it('closes a broadcast channel', async () => {
    const baseline = await baselineResources();
    const channel = new BroadcastChannel('custodian-test');
    channel.onmessage = () => undefined;
    expect(findAdapter(channel)).toBe(broadcastChannelAdapter);
    const registry = new ResourceRegistry();
    expect(registry.register(channel).name).toBe('broadcast channel "custodian-test"');
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'port', phase: 'graceful' });
    await expectResourcesBack(baseline, ['MessagePort']);
  });

  it('reports a channel that was already closed as closed', async () => {
    const channel = new BroadcastChannel('custodian-test-closed');
    channel.close();
    const registry = new ResourceRegistry();
    registry.register(channel);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
  });
});
