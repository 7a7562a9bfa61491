import { sql, type Kysely, type Migration } from 'kysely';

/**
 * "Once per parent" (e.g. Midjourney's U1–U4): a job made from a parent may carry a key that at
 * most one of the parent's children holds at a time, whatever the number of requests, processes
 * or instances racing for it. The database decides: a unique index on (parent_job_id, once_key),
 * filled by the job insert, so the loser's INSERT fails and no check-then-insert window remains.
 *
 * The index is partial: only children that are live or succeeded hold their key. A child that
 * ended without a result (failed, moderated, cancelled) frees it, so the button can be pressed
 * again — what an operator expects after a timeout or a Discord error, and what the bot itself
 * allows. The status list is written out here on purpose: a shipped migration never changes,
 * even if the job status vocabulary in `job-types.ts` grows.
 *
 * Rows from before this migration have no key; the provider's own check of the children still
 * covers them.
 */
export const migration010: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('jobs').addColumn('once_key', 'text').execute();
    await sql`create unique index jobs_once_per_parent on jobs (parent_job_id, once_key) where once_key is not null and status in ('created', 'started', 'progress', 'completed')`.execute(db);
  },
};
