/** PostgreSQL, for when one machine is not enough: several instances share one database. */
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { StoreDialect } from '../dialect.ts';
import type { UniqueViolation } from '../types.ts';
import { StoreOpenError } from '../errors.ts';
import { PostgresNotifications } from './notifications.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Schema to use instead of `public` (tests isolate themselves this way); created if missing. */
  schema?: string;
  maxConnections?: number;
}

const INT8_OID = 20;
/** Advisory lock id for schema-wide exclusive sections (migrations); any constant works. */
const EXCLUSIVE_LOCK_KEY = 0x5b0a4d;

/** The URL without its password, safe for logs and error messages. */
export function describePostgresUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export async function openPostgres(options: PostgresOptions): Promise<StoreDialect> {
  const where = describePostgresUrl(options.connectionString);
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new StoreOpenError(`invalid PostgreSQL schema name '${options.schema}'`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5000,
    // BIGINT columns hold epoch milliseconds, far below 2^53: read them as numbers.
    types: { getTypeParser: (oid: number, format?: any) => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      if (options.schema) {
        // IF NOT EXISTS still races when several openers create the schema at once; the loser
        // gets a unique violation on pg_namespace, which means the schema exists: fine.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((error: { code?: string }) => {
          if (error.code !== '23505' && error.code !== '42P06') throw error;
        });
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.message : String(error);
    throw new StoreOpenError(`cannot connect to PostgreSQL at ${where}: ${reason}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  const notifications = new PostgresNotifications(pool, { connectionString: options.connectionString, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) }, options.schema ?? 'switchboard');
  const constraintFields: Record<string, UniqueViolation['field']> = {
    jobs_pkey: 'jobid',
    jobs_once_per_parent: 'once',
    accounts_discord_unique: 'discord',
    accounts_discord_owner_unique: 'discord',
    accounts_server_unique: 'server',
    accounts_channel_unique: 'channel',
  };
  return {
    db,
    rowLocks: true,
    description: `PostgreSQL at ${where}${options.schema ? ` (schema ${options.schema})` : ''}`,
    uniqueViolationField(error) {
      const e = error as { code?: string; constraint?: string };
      if (e?.code !== '23505') return undefined;
      return constraintFields[e.constraint ?? ''] ?? 'name';
    },
    exclusive: (fn) =>
      db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${EXCLUSIVE_LOCK_KEY})`.execute(trx);
        return fn(trx);
      }),
    notifications,
    close: async () => {
      await notifications.close();
      await db.destroy();
    },
  };
}
