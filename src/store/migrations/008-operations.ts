import type { Kysely, Migration } from 'kysely';

/**
 * Operations (issue 16): a tenant's alert URL for account health events, events other than job
 * webhooks in the outbox (`event_type`; null = a job's webhook, whose `job_id` it names), and an
 * optional default `replyUrl` per account, used when a call brings none.
 */
export const migration008: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('tenants').addColumn('alert_url', 'text').execute();
    await db.schema.alterTable('webhook_outbox').addColumn('event_type', 'text').execute();
    await db.schema.createIndex('webhook_outbox_tenant_created').on('webhook_outbox').columns(['tenant_id', 'created_at']).execute();
    await db.schema.alterTable('accounts').addColumn('reply_url', 'text').execute();
  },
};
