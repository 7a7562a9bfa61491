import type { Kysely, Migration } from 'kysely';

/** Jobs made from a job by its buttons (Midjourney's `children`, U1–U4 once per parent) are read by parent. */
export const migration009: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('jobs_parent').on('jobs').columns(['parent_job_id', 'created_at']).execute();
  },
};
