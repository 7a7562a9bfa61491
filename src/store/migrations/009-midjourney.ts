import type { Kysely, Migration } from 'kysely';

/**
 * Midjourney's needs, in generic form: jobs made from a job by its buttons are read by parent
 * (`children`, U1–U4 once per parent), and an account may carry its own default callback URL
 * (useapi v3's per-channel `replyUrl`).
 */
export const migration009: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('jobs_parent').on('jobs').columns(['parent_job_id', 'created_at']).execute();
    await db.schema.alterTable('accounts').addColumn('reply_url', 'text').execute();
  },
};
