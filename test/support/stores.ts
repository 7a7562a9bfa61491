/**
 * Real stores for tests: SQLite in a temporary folder and PostgreSQL in a private schema of the
 * local server. When PostgreSQL is unreachable its half is skipped with a printed reason — except
 * under CI, where that is a failure.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { openStore } from '../../src/store/index.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresProbe: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers, else the reason it does not. */
function probePostgres(): Promise<string | undefined> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return `${POSTGRES_URL} unreachable: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

/** The store kinds to run a suite against, resolved before the suite is defined. */
export async function availableStoreKinds(): Promise<StoreKind[]> {
  const reason = await probePostgres();
  if (reason === undefined) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error(`PostgreSQL is required under CI: ${reason}`);
  console.warn(`[tests] skipping the PostgreSQL half: ${reason}`);
  return ['sqlite'];
}

export interface TestStoreSetup {
  config: Config;
  /** PostgreSQL schema, when the kind is postgres. */
  schema?: string;
  cleanup(): Promise<void>;
}

/** A config pointing at a fresh, empty database of the given kind. */
export async function freshDatabase(kind: StoreKind, env: Record<string, string> = {}): Promise<TestStoreSetup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  // Account verification needs a Discord; suites without the simulator turn it off.
  // Tests poll their jobs every few milliseconds and save many accounts: the rate limits are off unless a test turns them on.
  const base = { SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'silent', SWITCHBOARD_VERIFY_ACCOUNTS: '0', SWITCHBOARD_RATE_LIMIT: '0', SWITCHBOARD_DISCORD_RATE_LIMIT: '0', SWITCHBOARD_AUTH_FAILURE_LIMIT: '0', ...env };
  if (kind === 'sqlite') {
    return { config: loadConfig(base), cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `sb_test_${crypto.randomBytes(6).toString('hex')}`;
  return {
    config: loadConfig({ ...base, DATABASE_URL: POSTGRES_URL }),
    schema,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that give every test of the enclosing suite a fresh, migrated store of `kind`;
 * returns an accessor for it.
 */
export function useFreshStore(kind: StoreKind): () => { store: SqlStore; setup: TestStoreSetup } {
  let current: { store: SqlStore; setup: TestStoreSetup } | undefined;
  beforeEach(async () => {
    const setup = await freshDatabase(kind);
    current = { setup, store: await openStore(setup.config, setup.schema ? { schema: setup.schema } : {}) };
  });
  afterEach(async () => {
    await current?.store.close();
    await current?.setup.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('store used outside a test');
    return current;
  };
}
