import type { Kysely, Migration } from 'kysely';

/** Tenants (one per API token), their Discord accounts, and a small key/value table. */
export const migration001: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('token_hint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();

    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('bot', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('server', 'text')
      .addColumn('discord_token', 'text', (c) => c.notNull())
      .addColumn('discord_fingerprint', 'text', (c) => c.notNull())
      .addColumn('max_jobs', 'integer')
      // 0 for channels a call brought itself (Pika "bring your own account"): tracked, not listed.
      .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('credits_total', 'integer')
      .addColumn('credits_used', 'integer')
      .addColumn('credits_timestamp', 'text')
      .addColumn('health_state', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('health_reason', 'text')
      .addColumn('health_detail', 'text')
      .addColumn('health_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('health_since', 'bigint')
      .addColumn('health_until', 'bigint')
      .addColumn('next_probe_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('accounts_channel_unique', ['tenant_id', 'bot', 'channel'])
      // One Discord token and one server per bot configuration, as useapi.net enforces.
      .addUniqueConstraint('accounts_discord_unique', ['tenant_id', 'bot', 'discord_fingerprint'])
      .addUniqueConstraint('accounts_server_unique', ['tenant_id', 'bot', 'server'])
      .execute();

    await db.schema
      .createTable('switchboard_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
