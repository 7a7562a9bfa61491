import type { Kysely, Migration } from 'kysely';

/**
 * The tenant's cap on active jobs (SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT) is counted inside every
 * claim as `tenant_id = ? AND status IN (active)`. The index it had, (tenant_id, bot, status), puts
 * `bot` before `status`, so that count read every job the tenant ever ran: each submission cost
 * grew with the tenant's history (SQLite, 1,000 active jobs: 0.08 ms with no history, 1.6 ms with
 * 20,000 finished jobs, 8 ms with 100,000). With `status` second, the count reads the active
 * jobs only; `listActive` (tenant, bot, active statuses) uses the same index.
 */
export const migration013: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('jobs_tenant_status').execute();
    await db.schema.createIndex('jobs_tenant_active').on('jobs').columns(['tenant_id', 'status', 'bot']).execute();
  },
};
