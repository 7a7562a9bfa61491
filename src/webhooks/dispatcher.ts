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
  timeoutMs?: number;
  batchSize?: number;
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

  constructor(options: WebhookDispatcherOptions) {
    this.#options = {
      pollIntervalMs: 1000,
      timeoutMs: 10_000,
      batchSize: 20,
      now: Date.now,
      ...options,
      log: options.log ?? silent,
      retry: options.retry ?? defaultRetryPolicy,
    };
    this.#loop = new PollLoop(
      async () => {
        // Keep going while full batches come back: a backlog drains without waiting for polls.
        while (!this.#loop.stopped && (await this.deliverDue()) === this.#options.batchSize);
      },
      this.#options.pollIntervalMs,
      (error) => this.#options.log.error({ err: error }, 'webhook dispatcher failed to read the outbox'),
    );
  }

  start(): void {
    void this.#loop.start();
  }

  /** Stops polling and waits for the deliveries in flight to be recorded. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Looks for due rows now (e.g. a job just ended) instead of at the next poll. */
  kick(): void {
    this.#loop.kick();
  }

  /** Claims and delivers the rows due now; returns how many it attempted. */
  async deliverDue(): Promise<number> {
    const { store, now, batchSize, timeoutMs } = this.#options;
    const started = now();
    const rows = await store.outbox.claimDue(started, batchSize, this.#owner, started + timeoutMs * 2 + 5_000);
    await Promise.all(rows.map((row) => this.#deliver(row)));
    return rows.length;
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
      { timeoutMs: this.#options.timeoutMs, allowPrivate: this.#options.allowPrivate },
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
