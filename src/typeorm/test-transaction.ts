import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';
import { registry as defaultRegistry } from '../registry/default-registry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';

/** What {@link beginTestTransaction} returns. */
export interface TestTransaction extends AsyncDisposable {
  /** An EntityManager bound to the transaction: everything done through it is rolled back. */
  readonly manager: EntityManager;
  /** The QueryRunner (one connection) the transaction runs on. */
  readonly queryRunner: QueryRunner;
  /** Rolls back (when the transaction is still active) and releases the QueryRunner. Idempotent. */
  rollback(): Promise<void>;
}

/** Options of {@link beginTestTransaction}. */
export interface TestTransactionOptions {
  /**
   * Registry that rolls the transaction back if the test never disposes it (a forgotten
   * `await using`), before the DataSource itself is closed (it was registered later, so it is
   * disposed first). `null` registers nowhere.
   * @default the process-wide default `registry`
   */
  registry?: ResourceRegistry | null;
}

/**
 * Starts a transaction on a QueryRunner of its own and hands out its EntityManager; disposing
 * the result rolls the transaction back and releases the runner, so each test leaves the
 * database as it found it. Works with every driver that has transactions (PostgreSQL, MySQL
 * and MariaDB, SQLite through `sqlite3` or `better-sqlite3`). Nested `manager.transaction()`
 * calls become savepoints, as TypeORM makes them.
 *
 * With SQLite the DataSource has a single connection: queries through `dataSource.manager` run
 * inside the transaction too, and are rolled back with it. With a pooled driver only queries
 * through `manager` (or `queryRunner`) are part of it.
 *
 * @example
 * ```ts
 * it('creates a user', async () => {
 *   await using tx = await beginTestTransaction(dataSource);
 *   await tx.manager.save(User, { name: 'Ada' });
 * }); // rolled back here
 * ```
 */
export async function beginTestTransaction(dataSource: DataSource, options: TestTransactionOptions = {}): Promise<TestTransaction> {
  if (typeof (dataSource as { createQueryRunner?: unknown } | null)?.createQueryRunner !== 'function') {
    throw new CustodianTypeError(`beginTestTransaction() expects a TypeORM DataSource, got ${describeValue(dataSource)}`);
  }
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
    await queryRunner.startTransaction();
  } catch (error) {
    await queryRunner.release().catch(() => undefined);
    throw error;
  }

  let done: Promise<void> | undefined;
  const finish = async (): Promise<void> => {
    try {
      if (queryRunner.isTransactionActive && !queryRunner.isReleased) await queryRunner.rollbackTransaction();
    } finally {
      if (!queryRunner.isReleased) await queryRunner.release();
    }
  };
  const target = options.registry === undefined ? defaultRegistry : options.registry;
  let registration: ReturnType<ResourceRegistry['register']> | undefined;
  try {
    registration = target?.register(queryRunner, {
      kind: 'task',
      name: `typeorm test transaction (${String(dataSource.options.type)})`,
      dispose: () => (done ??= finish()),
    });
  } catch (error) {
    // A disposed registry: do not leave the transaction open on a connection nobody owns.
    await finish().catch(() => undefined);
    throw error;
  }
  const rollback = (): Promise<void> => {
    registration?.unregister();
    return (done ??= finish());
  };
  return {
    manager: queryRunner.manager,
    queryRunner,
    rollback,
    [Symbol.asyncDispose]: rollback,
  };
}
