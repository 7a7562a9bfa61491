import type { Kysely, Migration } from 'kysely';

/**
 * Jobs (with their uploaded input files until they have been sent), and the webhook outbox with
 * its delivery log. JSON documents are stored as text so both dialects read them the same way.
 */
export const migration002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('jobs')
      .addColumn('jobid', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('bot', 'text', (c) => c.notNull())
      .addColumn('verb', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
      // 1 while the job occupies one of its account's capacity slots. Usually that is while it is
      // active, but a cancelled job keeps its slot until the bot has really finished with it.
      .addColumn('holds_slot', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('account_id', 'text')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('server', 'text')
      .addColumn('discord_masked', 'text', (c) => c.notNull())
      .addColumn('max_jobs', 'integer')
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('reply_url', 'text')
      .addColumn('reply_ref', 'text')
      .addColumn('message_id', 'text')
      .addColumn('content', 'text')
      .addColumn('message_timestamp', 'text')
      .addColumn('attachments', 'text')
      .addColumn('embeds', 'text')
      .addColumn('buttons', 'text')
      .addColumn('error', 'text')
      .addColumn('error_details', 'text')
      .addColumn('code', 'integer')
      .addColumn('parent_job_id', 'text')
      .addColumn('button', 'text')
      .addColumn('runner_state', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('deadline_at', 'bigint')
      .execute();
    await db.schema.createIndex('jobs_tenant_status').on('jobs').columns(['tenant_id', 'bot', 'status']).execute();
    await db.schema.createIndex('jobs_account_slot').on('jobs').columns(['account_id', 'holds_slot']).execute();
    await db.schema.createIndex('jobs_account_queue').on('jobs').columns(['account_id', 'queued', 'created_at']).execute();
    await db.schema.createIndex('jobs_status_deadline').on('jobs').columns(['status', 'deadline_at']).execute();
    await db.schema.createIndex('jobs_finished').on('jobs').columns(['finished_at']).execute();

    await db.schema
      .createTable('job_files')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.jobid').onDelete('cascade'))
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      // base64: portable across both dialects; files are removed once the job has been sent.
      .addColumn('data', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_files_pk', ['job_id', 'field'])
      .execute();

    await db.schema.alterTable('tenants').addColumn('webhook_secret', 'text').execute();

    await db.schema
      .createTable('webhook_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('locked_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_outbox_job').on('webhook_outbox').columns(['job_id']).execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('outbox_id', 'text', (c) => c.notNull().references('webhook_outbox.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('webhook_deliveries_outbox').on('webhook_deliveries').columns(['outbox_id']).execute();
  },
};
