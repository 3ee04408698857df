import type { HandleSink, TaskRecord } from './task-record.js';
import type { TaskHandle } from './types.js';

/** The {@link TaskHandle} of one `spawn()` task. */
export class SpawnHandle implements TaskHandle, HandleSink {
  readonly id: number;
  readonly name: string;
  #record: TaskRecord | undefined;
  #outcome: PromiseSettledResult<unknown> | undefined;
  #done: Promise<PromiseSettledResult<unknown>> | undefined;
  #resolveDone: ((result: PromiseSettledResult<unknown>) => void) | undefined;
  #observed = false;

  constructor(record: TaskRecord) {
    this.id = record.id;
    this.name = record.displayName();
    this.#record = record;
  }

  get settled(): boolean {
    return this.#outcome !== undefined;
  }

  get observed(): boolean {
    return this.#observed;
  }

  // Created on first read, so a handle nobody reads costs no promise; reading it is what
  // makes a later failure "observed" (the way attaching a handler does for a promise).
  get done(): Promise<PromiseSettledResult<unknown>> {
    this.#observed = true;
    if (this.#done === undefined) {
      this.#done =
        this.#outcome !== undefined
          ? Promise.resolve(this.#outcome)
          : new Promise((resolve) => {
              this.#resolveDone = resolve;
            });
    }
    return this.#done;
  }

  abort(reason?: unknown): void {
    const record = this.#record;
    if (record === undefined || record.controller === undefined || record.controller.signal.aborted) return;
    record.aborted = true;
    record.controller.abort(reason);
  }

  _settle(result: PromiseSettledResult<unknown>): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = result;
    this.#record = undefined;
    const resolve = this.#resolveDone;
    this.#resolveDone = undefined;
    resolve?.(result);
  }
}
