// Background work: the shipper task, the heartbeat interval and the hashing worker thread.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { createTestDataSource } from 'custodian/typeorm';
import { startHeartbeat, startShipper } from '../src/background.mjs';
import { Order } from '../src/db.mjs';
import { startHasher } from '../src/hasher.mjs';

describe('shipper', () => {
  // Clean: createTestDataSource() registers the DataSource, and the shipper runs on the global
  // runner; custodian's cleanup after the test stops the task, then destroys the database.
  test('ships new orders in the background', async () => {
    const db = await createTestDataSource({ entities: [Order] });
    await db.getRepository(Order).save({ customer: 'ada', total: 10 });
    startShipper(db, { intervalMs: 10 });
    await expect.poll(() => db.getRepository(Order).countBy({ status: 'shipped' }), { timeout: 5000 }).toBe(1);
  });
});

describe('heartbeat', () => {
  test('beats while started', async () => {
    const heartbeat = startHeartbeat({ intervalMs: 5 });
    await sleep(30);
    heartbeat.stop();
    expect(heartbeat.state.beats).toBeGreaterThan(0);
  });

  // LEAK: stop() is never called: the interval would keep beating for the rest of the file.
  test('counts beats from zero', () => {
    const heartbeat = startHeartbeat({ intervalMs: 1000 });
    expect(heartbeat.state.beats).toBe(0);
  });
});

describe('hasher', () => {
  test('hashes in a worker thread', async () => {
    const hasher = startHasher();
    try {
      expect(await hasher.hash('order 1')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await hasher.close();
    }
  });

  // LEAK: the worker thread is never terminated. custodian terminates it.
  test('gives equal orders equal fingerprints', async () => {
    const hasher = startHasher();
    expect(await hasher.hash('order 2')).toBe(await hasher.hash('order 2'));
  });
});
