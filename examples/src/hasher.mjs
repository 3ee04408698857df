// A worker thread that fingerprints orders (receipt ids). close() must be called when done.
import { Worker } from 'node:worker_threads';

export function startHasher() {
  const worker = new Worker(new URL('./hash-worker.mjs', import.meta.url));
  const pending = new Map();
  let nextId = 0;
  worker.on('message', ({ id, digest }) => {
    pending.get(id)?.(digest);
    pending.delete(id);
  });
  return {
    hash(text) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ id, text });
      });
    },
    close: () => worker.terminate(),
  };
}
