/**
 * Shared helpers for the tests that run against the real database services of the machine:
 * reachability (skip with a visible reason, or fail under CI), server-side polling, client-side
 * handle counts, and a TCP server that accepts connections and never answers.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export interface Service {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export const POSTGRES: Service = { name: 'PostgreSQL', host: '127.0.0.1', port: Number(process.env.PGPORT ?? 5432) };
export const MARIADB: Service = { name: 'MariaDB', host: '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306) };
export const REDIS: Service = { name: 'Redis', host: '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };

function canConnect(service: Service, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: service.host, port: service.port });
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    function finish(problem: string | undefined): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    }
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

/**
 * Whether `service` is reachable. When it is not, prints why the tests that need it are
 * skipped; under `CI=true` it throws instead, so a missing service fails the run.
 */
export async function serviceAvailable(service: Service): Promise<boolean> {
  const problem = await canConnect(service);
  if (problem === undefined) return true;
  const message = `${service.name} at ${service.host}:${service.port} is unreachable (${problem})`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI requires it`);
  console.warn(`SKIPPED: ${message}; its tests are skipped`);
  return false;
}

/** A unique, recognisable name for connections opened by one test. */
export function uniqueName(prefix: string): string {
  return `custodian-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls `read` until `accept` holds, then returns the last value; returns it anyway after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** Counts of the process's active socket handles (timers excluded: they come and go with the runner). */
export function socketHandles(): number {
  return process.getActiveResourcesInfo().filter((type) => /TCP|Pipe|TLS/i.test(type)).length;
}

/** The socket handle count once handles closed by earlier tests have left the active list. */
export async function baselineHandles(): Promise<number> {
  await settle();
  return socketHandles();
}

/**
 * Polls the socket handle count until it is back to `baseline` (a socket that was closed leaves
 * the active list once libuv has run its close callback, which on a loaded machine can take a
 * few loop turns); returns the last count.
 */
export async function handlesBackTo(baseline: number, extra: () => number = () => 0): Promise<number> {
  await settle();
  return eventually(async () => socketHandles() - extra(), (n) => n <= baseline, 5000);
}

/** Waits a few turns of the event loop so closed handles leave the active list. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A TCP server on a free local port that accepts connections and never sends a byte. It keeps
 * its side open when a client half-closes (so a graceful "goodbye, then wait for the server to
 * close" hangs, as with a server that stopped answering); `connected` counts the clients that
 * have not closed their side yet.
 */
export interface SilentServer extends AsyncDisposable {
  readonly port: number;
  /** Server-side sockets still held open (they count among the process's socket handles). */
  readonly sockets: Set<net.Socket>;
  /** Clients that have not closed their side of the connection. */
  connected(): number;
  /** Connections accepted so far. */
  accepted(): number;
  /**
   * While set, every connection accepted from then on is reset after `ms` without a byte sent,
   * so a client with a reconnect strategy reconnects (for ever, if its strategy says so);
   * `undefined` goes back to holding connections open.
   */
  dropAfter(ms: number | undefined): void;
}

export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const clientGone = new WeakSet<net.Socket>();
  let accepted = 0;
  let dropAfterMs: number | undefined;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    if (dropAfterMs !== undefined) setTimeout(() => socket.destroy(), dropAfterMs);
    socket.on('error', () => clientGone.add(socket));
    socket.on('end', () => clientGone.add(socket));
    socket.on('close', () => sockets.delete(socket));
    // Read (and drop) what the client sends: a paused socket would never notice the client going.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    connected: () => [...sockets].filter((socket) => !clientGone.has(socket)).length,
    accepted: () => accepted,
    dropAfter: (ms) => {
      dropAfterMs = ms;
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A PostgreSQL connection of the test file's own (opened in `beforeAll`, closed in `afterAll`,
 * only when the server is available) that counts the server's backends by `application_name`:
 * the server-side proof that a pool or client really closed its connections.
 */
export function postgresBackends(available: boolean, adminName: string): (applicationName: string) => Promise<number> {
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    if (!available) return;
    admin = new pg.Client({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', database: 'test', application_name: adminName });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
  });
  return async (applicationName) => {
    const result = await admin!.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return result.rows[0]!.n;
  };
}
