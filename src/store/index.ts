/** Storage: pick the dialect from the config, apply migrations, hand back one {@link Store}. */
import type { Config } from '../config/index.ts';
import { migrateToLatest } from './migrations/index.ts';
import { openPostgres } from './postgres/open-postgres.ts';
import { SqlStore, type StoreDialect } from './sql-store.ts';
import { openSqlite } from './sqlite/open-sqlite.ts';

export * from './types.ts';
export { StoreOpenError } from './errors.ts';

export interface OpenStoreOptions {
  /** PostgreSQL schema (tests); SQLite ignores it. */
  schema?: string;
  /** SQLite file name inside the data dir, or `:memory:`. */
  sqliteFilename?: string;
}

/** Opens the store the config names — PostgreSQL when DATABASE_URL is set, else SQLite — migrated. */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>, options: OpenStoreOptions = {}): Promise<SqlStore> {
  const dialect: StoreDialect = config.databaseUrl
    ? await openPostgres({ connectionString: config.databaseUrl, ...(options.schema ? { schema: options.schema } : {}) })
    : openSqlite({ dataDir: config.dataDir, ...(options.sqliteFilename ? { filename: options.sqliteFilename } : {}) });
  try {
    await migrateToLatest(dialect);
  } catch (error) {
    await dialect.close();
    throw error;
  }
  return new SqlStore(dialect);
}
