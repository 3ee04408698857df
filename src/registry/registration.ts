import { entryName, runEntry, type Entry } from './entry.js';
import type { DisposeOutcome, Registration } from './types.js';

/** The handle `register()` returns; it shares the entry with the registry. */
export class EntryRegistration implements Registration {
  readonly #entry: Entry;
  #done: Promise<DisposeOutcome> | undefined;
  readonly id: number;
  readonly kind: Entry['kind'];

  constructor(entry: Entry) {
    this.#entry = entry;
    this.id = entry.id;
    this.kind = entry.kind;
  }

  get name(): string {
    return entryName(this.#entry);
  }

  unregister(): boolean {
    const entry = this.#entry;
    if (entry.running !== undefined || entry.owner === undefined) return false;
    const removed = entry.owner._forget(entry);
    entry.owner = undefined;
    return removed;
  }

  dispose(): Promise<DisposeOutcome> {
    this.#done ??= this.#dispose();
    return this.#done;
  }

  async #dispose(): Promise<DisposeOutcome> {
    const entry = this.#entry;
    entry.owner?._forget(entry);
    const result = await runEntry(entry);
    if (result.status === 'failed' || result.status === 'timedOut') throw result.error;
    return result;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose().then(() => undefined);
  }
}
