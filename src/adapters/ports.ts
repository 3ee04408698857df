import { BroadcastChannel, MessageChannel, MessagePort } from 'node:worker_threads';
import { defineAdapter, type Adapter } from './adapter.js';

const closedPorts = new WeakSet<MessagePort>();

function closePort(port: MessagePort): void {
  port.close();
  closedPorts.add(port);
}

/**
 * `MessagePort` (`worker_threads`, also the global one): `close()`, which disconnects both ends
 * and releases the handle in the same turn of the event loop. Node exposes no closed state; a
 * port closed through the registry is remembered as closed, and a second `close()` is harmless.
 */
export const messagePortAdapter = defineAdapter<MessagePort>({
  name: 'message port',
  kind: 'port',
  matches: (value): value is MessagePort => value instanceof MessagePort,
  isClosed: (port) => closedPorts.has(port),
  close: closePort,
  describe: () => 'message port',
});

/** `MessageChannel`: both of its ports closed. */
export const messageChannelAdapter = defineAdapter<MessageChannel>({
  name: 'message channel',
  kind: 'port',
  matches: (value): value is MessageChannel => value instanceof MessageChannel,
  isClosed: (channel) => closedPorts.has(channel.port1) && closedPorts.has(channel.port2),
  close: (channel) => {
    closePort(channel.port1);
    closePort(channel.port2);
  },
  describe: () => 'message channel',
});

// The channel's handle sits under a private symbol and is dropped by close().
function handleOf(channel: BroadcastChannel): { found: boolean; value: unknown } {
  const key = Object.getOwnPropertySymbols(channel).find((symbol) => symbol.description === 'kHandle');
  return key === undefined ? { found: false, value: undefined } : { found: true, value: (channel as unknown as Record<symbol, unknown>)[key] };
}

/** `BroadcastChannel` (`worker_threads`, also the global one): `close()`. A closed channel counts as closed. */
export const broadcastChannelAdapter = defineAdapter<BroadcastChannel>({
  name: 'broadcast channel',
  kind: 'port',
  matches: (value): value is BroadcastChannel => value instanceof BroadcastChannel,
  isClosed: (channel) => {
    const handle = handleOf(channel);
    return handle.found && handle.value === undefined;
  },
  close: (channel) => channel.close(),
  describe: (channel) => `broadcast channel "${String(channel.name)}"`,
});

/** The port adapters, in the order the registry consults them. */
export const portAdapters: readonly Adapter<unknown>[] = [
  messagePortAdapter,
  messageChannelAdapter,
  broadcastChannelAdapter,
] as Adapter<unknown>[];
