import type { Kysely, Migration } from 'kysely';

/**
 * Several instances on one database: each live instance heartbeats a row, and each account's
 * Gateway session is owned by one instance through a lease on the account row.
 */
export const migration003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('accounts').addColumn('lease_owner', 'text').execute();
    await db.schema.alterTable('accounts').addColumn('lease_until', 'bigint').execute();
    await db.schema.createIndex('accounts_lease').on('accounts').columns(['lease_owner', 'lease_until']).execute();
  },
};
