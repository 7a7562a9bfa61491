/**
 * Fresh stores for benchmark runs (the same ideas as the tests' helpers, without depending on
 * them): SQLite in a temporary folder, PostgreSQL in a private schema of the local server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  env: Record<string, string>;
  schema?: string;
  drop(): Promise<void>;
}

export async function freshDatabase(kind: StoreKind): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { env: { SWITCHBOARD_DATA_DIR: dataDir }, drop: async () => removeDir() };
  const schema = `sb_bench_${crypto.randomBytes(5).toString('hex')}`;
  return {
    env: { SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: POSTGRES_URL },
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      removeDir();
    },
  };
}

/** Undefined when PostgreSQL answers, else why not (its rows are then skipped, with the reason). */
export async function postgresUnavailable(): Promise<string | undefined> {
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
}
