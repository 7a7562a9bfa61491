/** What a dialect (see `sqlite/` and `postgres/`) contributes to the shared SQL store. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { UniqueViolation, type StoreNotifications } from './types.ts';

export interface StoreDialect {
  readonly db: Kysely<Database>;
  readonly description: string;
  /** Whether `SELECT … FOR UPDATE [SKIP LOCKED]` exists (PostgreSQL). SQLite serialises writers instead. */
  readonly rowLocks: boolean;
  /**
   * Runs `fn` in a transaction that excludes every other `exclusive` caller on the same database,
   * in this process and in others (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
   */
  exclusive<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * A counter that changes whenever another connection (another process) has committed to the
   * database, read cheaply and synchronously: SQLite's `PRAGMA data_version`. Where there is one,
   * the store keeps its hottest reads in memory between changes (table-cache.ts).
   */
  readonly externalChanges?: () => number;
  /** Cross-instance notifications, where the database has them. */
  readonly notifications?: StoreNotifications;
  /** Names the uniqueness rule a driver error broke, or undefined when it is another error. */
  uniqueViolationField(error: unknown): UniqueViolation['field'] | undefined;
  close(): Promise<void>;
}

/** Runs a write and turns a driver's unique-constraint error into {@link UniqueViolation}. */
export async function guardUnique<T>(dialect: StoreDialect, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const field = dialect.uniqueViolationField(error);
    if (field) throw new UniqueViolation(field, { cause: error });
    throw error;
  }
}

