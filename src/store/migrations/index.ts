/**
 * Numbered migrations, applied in order on start by every store. Append only: a migration that
 * has shipped is never edited; a change is a new number. The runner holds the dialect's exclusive
 * lock for the whole run, so several processes starting on one database migrate it exactly once.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../dialect.ts';
import { migration001 } from './001-tenants-and-accounts.ts';
import { migration002 } from './002-jobs-and-webhooks.ts';
import { migration003 } from './003-cluster.ts';
import { migration005 } from './005-bot-replies.ts';
import { migration006 } from './006-account-proxy.ts';
import { migration007 } from './007-one-owner.ts';
import { migration008 } from './008-operations.ts';
import { migration009 } from './009-midjourney.ts';
import { migration010 } from './010-once-per-parent.ts';
import { migration011 } from './011-reported-status.ts';
import { migration012 } from './012-postgres-claims.ts';
import { migration013 } from './013-tenant-active-index.ts';
import { migration014 } from './014-queue-index.ts';

const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['001-tenants-and-accounts', migration001],
  ['002-jobs-and-webhooks', migration002],
  ['003-cluster', migration003],
  ['005-bot-replies', migration005],
  ['006-account-proxy', migration006],
  ['007-one-owner', migration007],
  ['008-operations', migration008],
  ['009-midjourney', migration009],
  ['010-once-per-parent', migration010],
  ['011-reported-status', migration011],
  ['012-postgres-claims', migration012],
  ['013-tenant-active-index', migration013],
  ['014-queue-index', migration014],
];

export async function migrateToLatest(dialect: StoreDialect): Promise<void> {
  await dialect.exclusive(async (db: Kysely<any>) => {
    await db.schema
      .createTable('switchboard_migration')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const rows = await sql<{ name: string }>`select name from switchboard_migration`.execute(db);
    const applied = new Set(rows.rows.map((r) => r.name));
    const known = new Set(migrations.map(([name]) => name));
    const unknown = [...applied].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`the database was migrated by a newer switchboard (unknown migrations: ${unknown.join(', ')}); upgrade this instance`);
    }
    for (const [name, migration] of migrations) {
      if (applied.has(name)) continue;
      try {
        await migration.up(db);
      } catch (error) {
        throw new Error(`database migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      await sql`insert into switchboard_migration (name, applied_at) values (${name}, ${Date.now()})`.execute(db);
    }
  });
}
