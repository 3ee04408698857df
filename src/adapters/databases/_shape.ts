/**
 * Small helpers shared by the database and network client adapters: shape tests (the
 * adapters never import the libraries they close), secret-free endpoint descriptions, and
 * waits for the events that prove a connection is really gone.
 */

/** A loose view of an object for shape tests. */
export type Loose = Record<string | symbol, unknown>;

/** Whether `value` is an object (or a function, as a knex instance is) with all of `methods`. */
export function hasMethods(value: unknown, ...methods: string[]): value is Loose {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const record = value as Loose;
  return methods.every((method) => typeof record[method] === 'function');
}

/** `value` as a loose object, or undefined. */
export function asObject(value: unknown): Loose | undefined {
  return (typeof value === 'object' || typeof value === 'function') && value !== null ? (value as Loose) : undefined;
}

/** Where a client connects, for descriptions. Never holds a user or a password. */
export interface Endpoint {
  host?: string | undefined;
  port?: number | string | undefined;
  database?: string | number | undefined;
}

/**
 * The host, port and database of a connection URL, dropping the user, the password and the
 * query string (which may carry a password too). Returns an empty endpoint for anything that
 * does not parse: a description is never worth leaking a secret.
 */
export function endpointFromUrl(url: unknown): Endpoint {
  if (typeof url !== 'string' || url === '') return {};
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\/+/, '')).split('/')[0];
    return {
      host: parsed.hostname.replace(/^\[|\]$/g, '') || undefined,
      port: parsed.port || undefined,
      database: database || undefined,
    };
  } catch {
    return {};
  }
}

/** Picks the first non-empty string or number among `values`. */
export function first(...values: unknown[]): string | number | undefined {
  for (const value of values) {
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return value;
  }
  return undefined;
}

/**
 * `"<driver> host:port/database"` plus an optional detail in parentheses, e.g.
 * `pg pool 127.0.0.1:5432/app (3 clients)`. Only the fields given are printed.
 */
export function describeEndpoint(driver: string, endpoint: Endpoint, detail?: string): string {
  let where = '';
  if (endpoint.host !== undefined) where += endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  if (endpoint.port !== undefined && endpoint.port !== '') where += `:${endpoint.port}`;
  // A file database (SQLite) has no host: print its name alone.
  if (endpoint.database !== undefined && endpoint.database !== '') where += where === '' ? `${endpoint.database}` : `/${endpoint.database}`;
  let text = where === '' ? driver : `${driver} ${where}`;
  if (detail !== undefined && detail !== '') text += ` (${detail})`;
  return text;
}

/** Pluralises a count for descriptions: `count(3, 'client')` is `"3 clients"`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

interface StreamLike {
  destroyed?: boolean;
  closed?: boolean;
  destroy?: (error?: Error) => void;
  once?: (event: string, listener: () => void) => unknown;
}

/**
 * Destroys a socket or stream and resolves once it has emitted `close`, so the handle is
 * really gone when the forced close reports success. Resolves at once for anything that is
 * not a stream or is already closed.
 */
export function destroyStream(stream: unknown): Promise<void> {
  const candidate = asObject(stream) as StreamLike | undefined;
  if (candidate === undefined || typeof candidate.destroy !== 'function') return Promise.resolve();
  const closed = whenStreamClosed(candidate);
  candidate.destroy();
  return closed;
}

/** Resolves once `stream` has emitted `close` (at once when it already has). */
export function whenStreamClosed(stream: unknown): Promise<void> {
  const candidate = asObject(stream) as StreamLike | undefined;
  if (candidate === undefined || typeof candidate.once !== 'function') return Promise.resolve();
  if (candidate.closed === true) return Promise.resolve();
  return new Promise((resolve) => candidate.once!('close', () => resolve()));
}

interface EmitterLike {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Resolves when `emitter` emits `event` (at once for something that is not an emitter). */
export function whenEvent(emitter: unknown, event: string): Promise<void> {
  if (!hasMethods(emitter, 'once')) return Promise.resolve();
  return new Promise((resolve) => (emitter as unknown as EmitterLike).once(event, () => resolve()));
}

/** Calls `fn`, swallowing a synchronous throw or a rejection: for best-effort steps of a forced close. */
export function quietly(fn: () => unknown): Promise<void> {
  try {
    return Promise.resolve(fn()).then(
      () => undefined,
      () => undefined,
    );
  } catch {
    return Promise.resolve();
  }
}
