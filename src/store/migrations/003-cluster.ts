import type { Kysely, Migration } from 'kysely';

/**
 * Several instances on one database: each live instance heartbeats a row, and each account's
 * Gateway session is owned by one instance through a lease on the account row. Also: retained
 * result files (Discord's CDN links expire), and an index for "a tenant's recent jobs".
 */
export const migration003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('jobs').addColumn('results', 'text').execute();
    await db.schema.createIndex('jobs_tenant_created').on('jobs').columns(['tenant_id', 'created_at']).execute();
    // The runner's reads: active jobs of its accounts, and jobs holding a slot past their deadline.
    await db.schema.createIndex('jobs_account_status').on('jobs').columns(['account_id', 'status']).execute();
    await db.schema.createIndex('jobs_slot_deadline').on('jobs').columns(['holds_slot', 'deadline_at']).execute();
    await db.schema
      .createTable('result_files')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.jobid').onDelete('cascade'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      // base64, like job_files: the same bytes for every instance, whichever dialect.
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('result_files_pk', ['job_id', 'idx'])
      .execute();
    await db.schema.createIndex('result_files_created').on('result_files').columns(['created_at']).execute();
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
