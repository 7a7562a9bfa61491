/**
 * The webhook outbox. Rows are leased, not deleted, so a delivery interrupted by a crash is
 * picked up again once its lease runs out, and on PostgreSQL `SKIP LOCKED` lets several
 * instances share the work without two of them holding the same row.
 */
import crypto from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { StoreDialect } from './dialect.ts';
import type { Database, WebhookDeliveriesTable, WebhookOutboxTable } from './schema.ts';
import type { AttemptOutcome, ClaimFairness, DeliveryAttempt, OutboxRecord, OutboxStatus, OutboxStore } from './outbox-types.ts';

function toOutbox(row: Selectable<WebhookOutboxTable>): OutboxRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    jobId: row.jobId,
    eventType: row.eventType ?? null,
    url: row.url,
    payload: row.payload,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.nextAttemptAt),
    lastError: row.lastError,
    createdAt: Number(row.createdAt),
    deliveredAt: row.deliveredAt === null ? null : Number(row.deliveredAt),
  };
}

function toAttempt(row: Selectable<WebhookDeliveriesTable>): DeliveryAttempt {
  return { attempt: Number(row.attempt), startedAt: Number(row.startedAt), durationMs: Number(row.durationMs), statusCode: row.statusCode === null ? null : Number(row.statusCode), error: row.error };
}

/**
 * The one writer of new outbox rows: enqueues a webhook, inside the caller's transaction (the
 * job store calls it in the transaction that ends the job, so a job never ends without its
 * webhook, nor gets one twice).
 */
export async function enqueueWebhook(db: Kysely<Database>, entry: { tenantId: string; jobId: string; url: string; payload: string; now: number }): Promise<void> {
  await db
    .insertInto('webhookOutbox')
    .values({
      id: `whk_${crypto.randomBytes(10).toString('hex')}`,
      tenantId: entry.tenantId,
      jobId: entry.jobId,
      url: entry.url,
      payload: entry.payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: entry.now,
      lockedUntil: null,
      lockedBy: null,
      lastError: null,
      createdAt: entry.now,
      deliveredAt: null,
    })
    .execute();
}

export class SqlOutboxStore implements OutboxStore {
  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  async claimDue(now: number, limit: number, owner: string, leaseUntil: number, fairness?: ClaimFairness): Promise<OutboxRecord[]> {
    return this.db.transaction().execute(async (trx) => {
      let due = trx
        .selectFrom('webhookOutbox')
        .select(['id', 'tenantId'])
        .where('status', '=', 'pending')
        .where('nextAttemptAt', '<=', now)
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
        .orderBy('nextAttemptAt')
        // With fairness, look further ahead so other tenants' rows behind one tenant's backlog are found.
        .limit(fairness ? limit * 8 : limit);
      if (this.dialect.rowLocks) due = due.forUpdate().skipLocked();
      const candidates = await due.execute();
      const taken = new Map<string, number>();
      const ids: string[] = [];
      for (const row of candidates) {
        if (ids.length >= limit) break;
        const count = taken.get(row.tenantId) ?? 0;
        if (fairness && fairness.busy(row.tenantId) + count >= fairness.perTenant) continue;
        taken.set(row.tenantId, count + 1);
        ids.push(row.id);
      }
      if (ids.length === 0) return [];
      const rows = await trx.updateTable('webhookOutbox').set({ lockedBy: owner, lockedUntil: leaseUntil }).where('id', 'in', ids).returningAll().execute();
      return rows.map(toOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    });
  }

  async recordAttempt(id: string, attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhookDeliveries')
        .values({ id: `dlv_${crypto.randomBytes(10).toString('hex')}`, outboxId: id, ...attempt })
        .execute();
      await trx
        .updateTable('webhookOutbox')
        .set({
          attempts: attempt.attempt,
          status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
          ...(outcome.kind === 'retry' ? { nextAttemptAt: outcome.at } : {}),
          deliveredAt: outcome.kind === 'delivered' ? attempt.startedAt + attempt.durationMs : null,
          lastError: outcome.kind === 'delivered' ? null : (attempt.error ?? `HTTP ${attempt.statusCode}`),
          lockedBy: null,
          lockedUntil: null,
        })
        .where('id', '=', id)
        .execute();
    });
  }

  async forJob(tenantId: string, jobId: string): Promise<(OutboxRecord & { deliveries: DeliveryAttempt[] })[]> {
    const rows = await this.db.selectFrom('webhookOutbox').selectAll().where('tenantId', '=', tenantId).where('jobId', '=', jobId).orderBy('createdAt').execute();
    if (rows.length === 0) return [];
    const attempts = await this.db.selectFrom('webhookDeliveries').selectAll().where('outboxId', 'in', rows.map((r) => r.id)).orderBy('attempt').execute();
    return rows.map((row) => ({ ...toOutbox(row), deliveries: attempts.filter((a) => a.outboxId === row.id).map(toAttempt) }));
  }

  async enqueue(event: { tenantId: string; eventType: string; url: string; payload: string }, now: number): Promise<OutboxRecord> {
    const row = await this.db
      .insertInto('webhookOutbox')
      .values({
        id: `whk_${crypto.randomBytes(10).toString('hex')}`,
        tenantId: event.tenantId,
        jobId: '',
        eventType: event.eventType,
        url: event.url,
        payload: event.payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        lockedBy: null,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOutbox(row);
  }

  async recent(tenantId: string, eventType: string, limit: number): Promise<(OutboxRecord & { deliveries: DeliveryAttempt[] })[]> {
    const rows = await this.db.selectFrom('webhookOutbox').selectAll().where('tenantId', '=', tenantId).where('eventType', '=', eventType).orderBy('createdAt', 'desc').limit(limit).execute();
    return this.#withAttempts(rows);
  }

  async redeliver(tenantId: string, id: string, now: number): Promise<OutboxRecord | 'pending' | undefined> {
    // Only a finished row changes, so a redeliver never races the dispatcher over a pending one.
    const row = await this.db
      .updateTable('webhookOutbox')
      .set({ status: 'pending', nextAttemptAt: now, lockedBy: null, lockedUntil: null })
      .where('id', '=', id)
      .where('tenantId', '=', tenantId)
      .where('status', 'in', ['failed', 'delivered'])
      .returningAll()
      .executeTakeFirst();
    if (row) return toOutbox(row);
    const exists = await this.db.selectFrom('webhookOutbox').select('status').where('id', '=', id).where('tenantId', '=', tenantId).executeTakeFirst();
    return exists ? 'pending' : undefined;
  }

  async #withAttempts(rows: Selectable<WebhookOutboxTable>[]): Promise<(OutboxRecord & { deliveries: DeliveryAttempt[] })[]> {
    if (rows.length === 0) return [];
    const attempts = await this.db.selectFrom('webhookDeliveries').selectAll().where('outboxId', 'in', rows.map((r) => r.id)).orderBy('attempt').execute();
    return rows.map((row) => ({ ...toOutbox(row), deliveries: attempts.filter((a) => a.outboxId === row.id).map(toAttempt) }));
  }

  async countPending(): Promise<number> {
    const row = await this.db.selectFrom('webhookOutbox').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db.selectFrom('webhookOutbox').select((eb) => eb.fn.min('nextAttemptAt').as('at')).where('status', '=', 'pending').executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }
}
