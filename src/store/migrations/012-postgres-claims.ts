import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * PostgreSQL only: a job's claim (a slot, else a queue place, under the tenant's cap) and the
 * promotion of queued jobs into freed slots, each as ONE statement from the client.
 *
 * Both must count the account's jobs *after* taking the account's row lock: in READ COMMITTED a
 * statement's snapshot is taken when it starts, so a lock taken inside the counting statement
 * itself would leave the counts blind to a job the previous lock holder just inserted. Until now
 * that meant a transaction of four statements (BEGIN, the lock, the claim, COMMIT). A VOLATILE
 * function takes a fresh snapshot for every statement it runs
 * (https://www.postgresql.org/docs/current/xfunc-volatility.html), so the lock and the counts can
 * be separate statements inside one call. SQLite needs none of this: one writer at a time, and a
 * write statement holds the lock from its start (`job-store.ts`, `claim`).
 *
 * The job's statuses that count as active come in as a parameter, so the vocabulary stays declared
 * once, in TypeScript. The claimed row comes in as JSON with every column of `jobs` (the store
 * builds it from its typed row), and goes out as JSON: the row with `jobs_ahead` for a queued job,
 * or `{ "refused": "tenant_limit" | "full" | "queue_full" }`.
 */
export const migration012: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`
      CREATE OR REPLACE FUNCTION switchboard_claim_job(p_account text, p_row jsonb, p_limit integer, p_queue_limit integer, p_tenant_limit integer, p_active text[])
      RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        n bigint;
        inserted jobs;
      BEGIN
        PERFORM 1 FROM accounts WHERE id = p_account FOR UPDATE;
        IF p_tenant_limit IS NOT NULL THEN
          SELECT count(*) INTO n FROM jobs WHERE tenant_id = p_row->>'tenant_id' AND status = ANY (p_active);
          IF n >= p_tenant_limit THEN RETURN jsonb_build_object('refused', 'tenant_limit'); END IF;
        END IF;
        SELECT count(*) INTO n FROM jobs WHERE account_id = p_account AND holds_slot = 1;
        IF n < p_limit THEN
          INSERT INTO jobs SELECT * FROM jsonb_populate_record(NULL::jobs, p_row || '{"queued": 0, "holds_slot": 1}') RETURNING * INTO inserted;
          RETURN to_jsonb(inserted);
        END IF;
        IF p_queue_limit IS NULL THEN RETURN jsonb_build_object('refused', 'full'); END IF;
        SELECT count(*) INTO n FROM jobs WHERE account_id = p_account AND queued = 1 AND status = ANY (p_active);
        IF n >= p_queue_limit THEN RETURN jsonb_build_object('refused', 'queue_full'); END IF;
        INSERT INTO jobs SELECT * FROM jsonb_populate_record(NULL::jobs, p_row || '{"queued": 1, "holds_slot": 0}') RETURNING * INTO inserted;
        RETURN to_jsonb(inserted) || jsonb_build_object('jobs_ahead', n);
      END
      $$
    `.execute(db);
    await sql`
      CREATE OR REPLACE FUNCTION switchboard_promote_queued(p_account text, p_limit integer, p_now bigint, p_active text[])
      RETURNS SETOF jobs LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        running bigint;
      BEGIN
        PERFORM 1 FROM accounts WHERE id = p_account FOR UPDATE;
        SELECT count(*) INTO running FROM jobs WHERE account_id = p_account AND holds_slot = 1;
        RETURN QUERY
          UPDATE jobs SET queued = 0, holds_slot = 1, updated_at = p_now
          WHERE jobid IN (
            SELECT jobid FROM jobs WHERE account_id = p_account AND queued = 1 AND status = ANY (p_active)
            ORDER BY created_at, jobid LIMIT greatest(p_limit - running, 0)
          )
          RETURNING *;
      END
      $$
    `.execute(db);
  },
};
