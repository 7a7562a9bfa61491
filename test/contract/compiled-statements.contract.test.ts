/**
 * Statements compiled once (`src/store/compiled.ts`) on both databases: the SQL is what Kysely
 * compiles for the same query with the values in place, later executions see their own values
 * (not the first call's), a forgotten value is an error rather than a NULL, and results go through
 * the store's camel-case plugin like any query's. Also: the tenant's active-job count (inside
 * every claim) is an index search on status, not a read of the tenant's history (migration 013),
 * and a queue is read by index alone (migration 014).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import { CompiledStatements } from '../../src/store/compiled.ts';
import type { StoreDialect } from '../../src/store/dialect.ts';
import { migrateToLatest } from '../../src/store/migrations/index.ts';
import { migration014 } from '../../src/store/migrations/014-queue-index.ts';
import { openPostgres } from '../../src/store/postgres/open-postgres.ts';
import { openSqlite } from '../../src/store/sqlite/open-sqlite.ts';
import { availableStoreKinds, freshDatabase, type TestStoreSetup } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('statements compiled once, %s', (kind) => {
  let setup: TestStoreSetup;
  let dialect: StoreDialect;
  beforeEach(async () => {
    setup = await freshDatabase(kind);
    dialect = setup.config.databaseUrl
      ? await openPostgres({ connectionString: setup.config.databaseUrl, ...(setup.schema ? { schema: setup.schema } : {}) })
      : openSqlite({ dataDir: setup.config.dataDir });
    await migrateToLatest(dialect);
    for (const [id, hash, revokedAt] of [['t1', 'h1', null], ['t2', 'h2', null], ['t3', 'h3', 5]] as const) {
      await dialect.db.insertInto('tenants').values({ id, name: id, tokenHash: hash, tokenHint: 'x', createdAt: 1, revokedAt }).execute();
    }
  });
  afterEach(async () => {
    await dialect.close();
    await setup.cleanup();
  });

  const byHash = (compiled: CompiledStatements, tokenHash: string) =>
    compiled.first(dialect.db, 'byHash', { tokenHash }, (v) => dialect.db.selectFrom('tenants').selectAll().where('tokenHash', '=', v.tokenHash).where('revokedAt', 'is', null));

  it('runs the SQL Kysely compiles for the query, with each call’s own values', async () => {
    const compiled = new CompiledStatements();
    expect((await byHash(compiled, 'h1'))?.id).toBe('t1');
    expect((await byHash(compiled, 'h2'))?.id).toBe('t2');
    expect(await byHash(compiled, 'h3')).toBeUndefined(); // revoked: the constant IS NULL stays in the SQL
    expect(await byHash(compiled, 'nope')).toBeUndefined();
    // Results went through the camel-case plugin: columns read as the schema names them.
    expect(await byHash(compiled, 'h1')).toMatchObject({ tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    // The same SQL as the builder's own compilation with real values.
    const direct = dialect.db.selectFrom('tenants').selectAll().where('tokenHash', '=', 'h2').where('revokedAt', 'is', null).compile();
    const seen: { sql: string; parameters: readonly unknown[] }[] = [];
    const spy = { executeQuery: async (q: { sql: string; parameters: readonly unknown[] }) => (seen.push(q), { rows: [] }) };
    await compiled.first(spy as never, 'byHash', { tokenHash: 'h2' }, () => {
      throw new Error('compiled already: not built again');
    });
    expect(seen[0]!.sql).toBe(direct.sql);
    expect(seen[0]!.parameters).toEqual(direct.parameters);
  });

  it('refuses to run with a value missing, instead of binding NULL', async () => {
    const compiled = new CompiledStatements();
    await expect(compiled.first(dialect.db, 'byHash', {} as { tokenHash: string }, (v) => dialect.db.selectFrom('tenants').selectAll().where('tokenHash', '=', v.tokenHash))).rejects.toThrow(
      /no value for tokenHash/,
    );
  });

  it('runs in a transaction handle as well as in the store’s', async () => {
    const compiled = new CompiledStatements();
    await dialect.db.transaction().execute(async (trx) => {
      await trx.updateTable('tenants').set({ name: 'renamed' }).where('id', '=', 't2').execute();
      const row = await compiled.first(trx, 'byHash', { tokenHash: 'h2' }, (v) => trx.selectFrom('tenants').selectAll().where('tokenHash', '=', v.tokenHash));
      expect(row?.name).toBe('renamed');
    });
    expect(Number((await sql<{ n: number }>`select count(*) as n from tenants`.execute(dialect.db)).rows[0]!.n)).toBe(3);
  });

  if (kind === 'sqlite') {
    it("counts a tenant's active jobs from the index, whatever its history (migration 013)", () => {
      const database = new BetterSqlite3(path.join(setup.config.dataDir, 'switchboard.db'), { readonly: true });
      try {
        const plan = database
          .prepare(`explain query plan select count(*) as n from jobs where tenant_id = ? and status in (?, ?, ?)`)
          .all('t1', 'created', 'started', 'progress') as { detail: string }[];
        // An index search on (tenant_id, status): the finished jobs are never read.
        expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING COVERING INDEX jobs_tenant_active \(tenant_id=\? AND status=\?\)/);
      } finally {
        database.close();
      }
    });

    it('reads a queue by index alone: its length, the jobs ahead, the oldest (migration 014)', () => {
      const database = new BetterSqlite3(path.join(setup.config.dataDir, 'switchboard.db'), { readonly: true });
      try {
        const plan = (query: string, ...values: unknown[]) => (database.prepare(`explain query plan ${query}`).all(...values) as { detail: string }[]).map((row) => row.detail).join('\n');
        expect(plan('select count(*) from jobs where account_id = ? and queued = ?', 'a1', 1)).toMatch(/USING COVERING INDEX jobs_queue/);
        expect(plan('select count(*) from jobs where account_id = ? and queued = ? and (created_at < ? or (created_at = ? and jobid < ?))', 'a1', 1, 5, 5, 'j')).toMatch(/USING COVERING INDEX jobs_queue/);
        const oldest = plan('select jobid from jobs where account_id = ? and queued = ? order by created_at, jobid limit ?', 'a1', 1, 3);
        expect(oldest).toMatch(/USING COVERING INDEX jobs_queue/);
        expect(oldest).not.toMatch(/TEMP B-TREE/);
      } finally {
        database.close();
      }
    });
  }

  it('clears the queue flag an older version left on ended jobs (migration 014)', async () => {
    // The schema as migration 013 left it, with an ended job still flagged queued.
    await dialect.db.schema.dropIndex('jobs_queue').execute();
    await dialect.db.schema.createIndex('jobs_account_queue').on('jobs').columns(['account_id', 'queued', 'created_at']).execute();
    const job = (jobid: string, status: string, queued: number) => ({
      jobid, tenantId: 't1', bot: 'pika', verb: 'pika-create', status, accountId: 'a1', channel: '1', discordMasked: 'x', request: '{}', runnerState: '{}', queued, holdsSlot: 0, createdAt: 1, updatedAt: 1, deadlineAt: 9,
    });
    await dialect.db.insertInto('jobs').values([job('ended', 'cancelled', 1), job('waiting', 'created', 1)] as never).execute();
    await migration014.up(dialect.db);
    const rows = await dialect.db.selectFrom('jobs').select(['jobid', 'queued']).orderBy('jobid').execute();
    expect(rows).toEqual([{ jobid: 'ended', queued: 0 }, { jobid: 'waiting', queued: 1 }]);
  });
});
