import type { Kysely, Migration } from 'kysely';
import { ACTIVE_STATUSES } from '../job-types.ts';

/**
 * A queue is read by index alone. Every claim with queueing counts the account's queue (is it
 * full?) and the jobs ahead of the new one, and every freed slot takes the oldest queued job; each
 * of those also checked `status IN (active)`, which is not in the queue index, so each read every
 * queued row: two row reads per queued job per submission (SQLite, 2,000 queued: a claim took
 * 1.1 ms, 0.67 ms after). A queued job is always active — `update` clears `queued` on every
 * ending — so the status test goes (job-store.ts), after this migration clears the flag on any
 * ended row an older version left. The index gains `jobid`, the queue's tie-break, so taking the
 * oldest needs no sort. (PostgreSQL's claim and promotion functions, migration 012, keep their
 * status test: still right, and they read rows for visibility anyway.)
 */
export const migration014: Migration = {
  async up(db: Kysely<any>) {
    await db
      .updateTable('jobs')
      .set({ queued: 0 })
      .where('queued', '=', 1)
      .where('status', 'not in', [...ACTIVE_STATUSES])
      .execute();
    await db.schema.dropIndex('jobs_account_queue').execute();
    await db.schema.createIndex('jobs_queue').on('jobs').columns(['account_id', 'queued', 'created_at', 'jobid']).execute();
  },
};
