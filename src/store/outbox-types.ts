/** The webhook outbox: one row per callback to deliver, with a log of every attempt. */

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxRecord {
  id: string;
  tenantId: string;
  /** The job a job webhook reports; '' for other events. */
  jobId: string;
  /** null for a job's webhook; else the event's type (e.g. `account.health_changed`). */
  eventType: string | null;
  url: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/** What happens to a row after an attempt. */
export type AttemptOutcome = { kind: 'delivered' } | { kind: 'retry'; at: number } | { kind: 'failed' };

export interface OutboxStore {
  /**
   * Leases up to `limit` due rows to `owner` until `leaseUntil`; a row leased by another live
   * owner is skipped, so each delivery is attempted by one instance at a time.
   */
  claimDue(now: number, limit: number, owner: string, leaseUntil: number, fairness?: ClaimFairness): Promise<OutboxRecord[]>;
  /** Records an attempt and its outcome, and releases the lease. */
  recordAttempt(id: string, attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<void>;
  forJob(tenantId: string, jobId: string): Promise<(OutboxRecord & { deliveries: DeliveryAttempt[] })[]>;
  /** Queues an event that is not a job's webhook (an account alert); delivered like any row. */
  enqueue(event: { tenantId: string; eventType: string; url: string; payload: string }, now: number): Promise<OutboxRecord>;
  /** The tenant's most recent rows of one event type, newest first, with their attempts. */
  recent(tenantId: string, eventType: string, limit: number): Promise<(OutboxRecord & { deliveries: DeliveryAttempt[] })[]>;
  /**
   * Sends a finished row (failed or delivered) again: it is due now for one more attempt.
   * 'pending' when it is still being delivered; undefined when the tenant has no such row.
   */
  redeliver(tenantId: string, id: string, now: number): Promise<OutboxRecord | 'pending' | undefined>;
  /** Rows still to deliver (for metrics and tests). */
  countPending(): Promise<number>;
  /** The earliest `nextAttemptAt` of a pending row, to sleep exactly until then. */
  nextDueAt(): Promise<number | undefined>;
}

/** Claims at most `perTenant - busy(tenant)` rows per tenant, so one tenant's backlog cannot fill a claim. */
export interface ClaimFairness {
  perTenant: number;
  busy(tenantId: string): number;
}
