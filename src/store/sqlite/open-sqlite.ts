/** The embedded default: one SQLite file in the data directory, opened with better-sqlite3. */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import type { StoreDialect } from '../dialect.ts';
import { StoreOpenError } from '../errors.ts';

export interface SqliteOptions {
  /** Folder holding `switchboard.db`. */
  dataDir: string;
  /** Overrides the file name; `:memory:` gives a private in-memory database. */
  filename?: string;
}

/**
 * Kysely's SQLite driver prepares every statement on every call; preparing costs more than many
 * of our queries. Statements are reusable, so the handle given to Kysely memoises them by SQL
 * text (bounded: the SQL switchboard runs is a fixed, small set, plus IN-lists of varying size).
 */
function withStatementCache(database: BetterSqlite3.Database, limit = 500): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(database, { get: (target, property) => (property === 'prepare' ? prepare : Reflect.get(target, property, target)) });
}

const fileMutexes = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier caller for the same database file has finished. */
function withFileMutex<T>(filename: string, fn: () => Promise<T>): Promise<T> {
  if (filename === ':memory:') return fn();
  const previous = fileMutexes.get(filename) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => {});
  fileMutexes.set(filename, tail);
  void tail.then(() => {
    if (fileMutexes.get(filename) === tail) fileMutexes.delete(filename);
  });
  return run;
}

/**
 * The database holds sealed tokens and tenants' data: the folder is made 0700 (narrowed if it
 * is wider) and the file created 0600 before SQLite opens it, whatever the process umask is.
 */
function preparePrivateFile(dir: string, filename: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o077) !== 0) chmodIfPresent(dir, 0o700);
  fs.closeSync(fs.openSync(filename, 'a', 0o600));
  chmodIfPresent(filename, 0o600);
}

function chmodIfPresent(file: string, mode: number): void {
  try {
    fs.chmodSync(file, mode);
  } catch {
    // Missing (no WAL yet) or not ours to change (a mounted volume).
  }
}

export function openSqlite(options: SqliteOptions): StoreDialect {
  const filename = options.filename === ':memory:' ? ':memory:' : path.join(options.dataDir, options.filename ?? 'switchboard.db');
  let database: BetterSqlite3.Database;
  try {
    if (filename !== ':memory:') preparePrivateFile(options.dataDir, filename);
    database = new BetterSqlite3(filename);
    // WAL lets readers (GET endpoints) run while a writer holds the lock; busy_timeout makes a
    // second process wait for the lock instead of failing at once.
    database.pragma('journal_mode = WAL');
    // SQLite gives the -wal and -shm files the main file's mode; stores made before did not have 0600.
    if (filename !== ':memory:') for (const suffix of ['', '-wal', '-shm']) chmodIfPresent(filename + suffix, 0o600);
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreOpenError(`cannot open the SQLite database ${filename} (data dir ${options.dataDir}): ${reason}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }), plugins: [new CamelCasePlugin()] });
  // Changes only when another connection committed (https://www.sqlite.org/pragma.html#pragma_data_version).
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  return {
    db,
    externalChanges: () => dataVersion.get() as number,
    description: `SQLite at ${filename}`,
    rowLocks: false,
    uniqueViolationField(error) {
      const message = error instanceof Error ? error.message : '';
      if (!message.startsWith('UNIQUE constraint failed')) return undefined;
      if (message.includes('discord_fingerprint')) return 'discord';
      if (message.includes('accounts.server')) return 'server';
      if (message.includes('token_hash') || message.includes('tenants.name')) return 'name';
      if (message.includes('jobs.jobid')) return 'jobid';
      if (message.includes('jobs.once_key')) return 'once';
      return 'channel';
    },
    exclusive: (fn) =>
      // better-sqlite3 blocks the thread while it waits for a lock, so callers in this process
      // queue on a mutex first; BEGIN IMMEDIATE then excludes other processes.
      withFileMutex(filename, () =>
        db.connection().execute(async (connection) => {
          await sql`begin immediate`.execute(connection);
          try {
            const result = await fn(connection);
            await sql`commit`.execute(connection);
            return result;
          } catch (error) {
            await sql`rollback`.execute(connection).catch(() => {});
            throw error;
          }
        }),
      ),
    close: () => db.destroy(),
  };
}
