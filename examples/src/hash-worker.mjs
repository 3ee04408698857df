// Runs in a worker thread: hashes what it is sent, so the main thread stays responsive.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

parentPort.on('message', ({ id, text }) => {
  parentPort.postMessage({ id, digest: createHash('sha256').update(text).digest('hex') });
});
