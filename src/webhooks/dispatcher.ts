/**
 * Delivers the webhook outbox. Any live instance may run one: rows are leased from the store, so
 * each attempt is made by one instance, and a crash mid-delivery only delays the row until its
 * lease ends. Failed attempts are retried with exponential backoff and jitter.
 */
import crypto from 'node:crypto';
import type { SecretBox } from '../secrets/index.ts';
import type { OutboxRecord, Store } from '../store/index.ts';
import { postWebhook } from './deliver.ts';
import { deliveryHeaders, newWebhookSecret } from './signing.ts';
import { PollLoop } from '../shared/poll-loop.ts';
import { absoluteResultUrlsInBody } from '../shared/absolute-urls.ts';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RetryPolicy {
  /** Delay before the second attempt; doubles for each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this many attempts the row is marked failed. */
  maxAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 5_000, maxDelayMs: 30 * 60_000, maxAttempts: 15 };

export interface WebhookDispatcherOptions {
  store: Store;
  secrets: SecretBox;
  allowPrivate: boolean;
  log?: Logger;
  retry?: RetryPolicy;
  /** How often to look for due rows when nothing wakes the dispatcher sooner. */
  pollIntervalMs?: number;
  /** Longest wait for a receiver's answer (the whole attempt). */
  timeoutMs?: number;
  /** Longest wait for a receiver to accept the connection. */
  connectTimeoutMs?: number;
  /** Deliveries in flight at once on this instance. */
  batchSize?: number;
  /** Deliveries in flight at once per tenant: one tenant's slow or dead receivers hold only these. */
  perTenantConcurrency?: number;
  now?: () => number;
  /** The base that makes `results[].url` in job bodies absolute (SWITCHBOARD_PUBLIC_URL, else where the server listens). */
  resultBase?: () => string | undefined;
  /** Observer (metrics) of every attempt. */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'failed', durationMs: number) => void;
}

/** The delay before attempt `attempt + 1`, with ±20% jitter so retries of many rows spread out. */
export function retryDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

const silent: Logger = { info() {}, warn() {}, error() {} };

/** The tenant's webhook secret in plaintext, created (sealed in the store) on first use. */
export async function tenantWebhookSecret(store: Store, secrets: SecretBox, tenantId: string): Promise<string> {
  return secrets.decrypt(await store.tenants.webhookSecret(tenantId, () => secrets.encrypt(newWebhookSecret())));
}

export class WebhookDispatcher {
  readonly #options: Required<Omit<WebhookDispatcherOptions, 'log' | 'retry' | 'onAttempt' | 'resultBase'>> & Pick<WebhookDispatcherOptions, 'onAttempt' | 'resultBase'> & { log: Logger; retry: RetryPolicy };
  readonly #owner = `dispatcher-${crypto.randomBytes(6).toString('hex')}`;
  readonly #loop: PollLoop;
  /** Deliveries in flight, per tenant and in all; a finished one frees its slot at once. */
  readonly #busy = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: WebhookDispatcherOptions) {
    this.#options = {
      pollIntervalMs: 1000,
      timeoutMs: 10_000,
      connectTimeoutMs: 3_000,
      batchSize: 20,
      perTenantConcurrency: 4,
      now: Date.now,
      ...options,
      log: options.log ?? silent,
      retry: options.retry ?? defaultRetryPolicy,
    };
    this.#loop = new PollLoop(
      async () => {
        // Start what fits; each delivery that ends frees its slot and looks again (kick), so a slow
        // receiver never holds up deliveries to others the way waiting for a whole batch would.
        while (!this.#loop.stopped && (await this.#startDue()).length > 0);
      },
      this.#options.pollIntervalMs,
      (error) => this.#options.log.error({ err: error }, 'webhook dispatcher failed to read the outbox'),
    );
  }

  start(): void {
    void this.#loop.start();
  }

  /** Stops polling and waits for the deliveries in flight to be recorded. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all(this.#inFlight);
  }

  /** Looks for due rows now (e.g. a job just ended) instead of at the next poll. */
  kick(): void {
    this.#loop.kick();
  }

  /** Claims and delivers the rows due now (within the concurrency limits); resolves once they are recorded. */
  async deliverDue(): Promise<number> {
    const started = await this.#startDue();
    await Promise.all(started);
    return started.length;
  }

  /** Claims as many due rows as there are free slots (per tenant and in all) and starts them. */
  async #startDue(): Promise<Promise<void>[]> {
    const { store, now, batchSize, timeoutMs, connectTimeoutMs, perTenantConcurrency } = this.#options;
    const free = batchSize - this.#inFlight.size;
    if (free <= 0) return [];
    const started = now();
    const rows = await store.outbox.claimDue(started, free, this.#owner, started + connectTimeoutMs + timeoutMs * 2 + 5_000, {
      perTenant: perTenantConcurrency,
      busy: (tenantId) => this.#busy.get(tenantId) ?? 0,
    });
    return rows.map((row) => {
      this.#busy.set(row.tenantId, (this.#busy.get(row.tenantId) ?? 0) + 1);
      const delivery = this.#deliver(row)
        .catch((error: unknown) => this.#options.log.error({ err: error, job: row.jobId }, 'webhook delivery failed to be recorded'))
        .finally(() => {
          const left = (this.#busy.get(row.tenantId) ?? 1) - 1;
          if (left <= 0) this.#busy.delete(row.tenantId);
          else this.#busy.set(row.tenantId, left);
          this.#inFlight.delete(delivery);
          if (!this.#loop.stopped) this.#loop.kick();
        });
      this.#inFlight.add(delivery);
      return delivery;
    });
  }

  async #deliver(row: OutboxRecord): Promise<void> {
    const { store, secrets, now, retry, log } = this.#options;
    const attempt = row.attempts + 1;
    const secret = await tenantWebhookSecret(store, secrets, row.tenantId);
    const startedAt = now();
    const body = absoluteResultUrlsInBody(row.payload, this.#options.resultBase?.());
    const result = await postWebhook(
      row.url,
      body,
      deliveryHeaders(secret, { id: row.id, attempt, jobId: row.jobId, eventType: row.eventType, body, timestampSeconds: Math.floor(startedAt / 1000) }),
      { timeoutMs: this.#options.timeoutMs, connectTimeoutMs: this.#options.connectTimeoutMs, allowPrivate: this.#options.allowPrivate },
    );
    const durationMs = now() - startedAt;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const outcome = ok ? ({ kind: 'delivered' } as const) : attempt >= retry.maxAttempts ? ({ kind: 'failed' } as const) : ({ kind: 'retry', at: now() + retryDelay(retry, attempt) } as const);
    await store.outbox.recordAttempt(row.id, { attempt, startedAt, durationMs, statusCode: result.statusCode, error: result.error }, outcome);
    this.#options.onAttempt?.(outcome.kind, durationMs);
    // Log the origin only: a replyUrl's path or query may carry the receiver's own secret.
    const target = URL.canParse(row.url) ? new URL(row.url).origin : '(invalid URL)';
    if (ok) log.info({ job: row.jobId, target, attempt, durationMs }, 'webhook delivered');
    else log.warn({ job: row.jobId, target, attempt, statusCode: result.statusCode, error: result.error, outcome: outcome.kind }, 'webhook attempt failed');
  }
}
