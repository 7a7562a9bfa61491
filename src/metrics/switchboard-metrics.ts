/**
 * The metrics switchboard exports at `/metrics`, on prom-client (with its default process and
 * Node.js runtime metrics). Events (jobs ending, Discord errors, webhook attempts, HTTP requests)
 * are counted as they happen in this process; state (active jobs, slots, account health, webhook
 * backlog) is read from the store at scrape time, so every instance reports the same truth.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthState } from '../accounts/index.ts';
import type { AccountSignal } from '../discord/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { AccountLabels } from './account-labels.ts';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
const HTTP_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120];
const HEALTH_STATES: readonly HealthState[] = ['active', 'cooling_down', 'needs_human', 'auth_failed', 'unreachable'];

export interface SwitchboardMetricsOptions {
  /** Label accounts with their real ids (only when `/metrics` is behind a token). */
  revealAccountIds?: boolean;
}

export class SwitchboardMetrics {
  /** A registry of its own (not prom-client's global one): tests run several servers in one process. */
  readonly registry = new Registry();
  readonly #labels: AccountLabels;
  readonly #botMessagesKept = new Counter({
    name: 'switchboard_bot_messages_kept_total',
    help: 'Bot messages no reply rule understood (unclassified) or that arrived in a held-back channel (quarantined), by bot and reason.',
    labelNames: ['bot', 'reason'],
    registers: [this.registry],
  });
  readonly #jobsSubmitted = new Counter({ name: 'switchboard_jobs_submitted_total', help: 'Jobs accepted by the API, by bot and verb.', labelNames: ['bot', 'verb'], registers: [this.registry] });
  readonly #jobsFinished = new Counter({ name: 'switchboard_jobs_finished_total', help: 'Jobs that reached a terminal status, by bot, verb and status.', labelNames: ['bot', 'verb', 'status'], registers: [this.registry] });
  readonly #jobDuration = new Histogram({ name: 'switchboard_job_duration_seconds', help: 'Time from submission to the terminal status, by bot and verb.', labelNames: ['bot', 'verb'], buckets: SECONDS, registers: [this.registry] });
  readonly #activeJobs = new Gauge({ name: 'switchboard_jobs_active', help: 'Jobs not yet finished, by bot and status (all instances).', labelNames: ['bot', 'status'], registers: [this.registry] });
  readonly #slotsInUse = new Gauge({ name: 'switchboard_account_slots_in_use', help: 'Capacity slots taken, per account.', labelNames: ['account', 'bot'], registers: [this.registry] });
  readonly #slotsFree = new Gauge({ name: 'switchboard_account_slots_free', help: 'Capacity slots free, per account.', labelNames: ['account', 'bot'], registers: [this.registry] });
  readonly #accounts = new Gauge({ name: 'switchboard_accounts', help: 'Accounts by bot and health state.', labelNames: ['bot', 'state'], registers: [this.registry] });
  readonly #accountHealth = new Gauge({
    name: 'switchboard_account_health',
    help: "Each account's health state: 1 for the state it is in, 0 for the others (channel is an opaque id unless /metrics has a token).",
    labelNames: ['bot', 'channel', 'state'],
    registers: [this.registry],
  });
  readonly #discordErrors = new Counter({ name: 'switchboard_discord_errors_total', help: 'Errors Discord answered, by kind and Discord code.', labelNames: ['kind', 'code', 'status'], registers: [this.registry] });
  readonly #discordRateLimits = new Counter({ name: 'switchboard_discord_rate_limits_total', help: '429 answers from Discord, by scope.', labelNames: ['scope'], registers: [this.registry] });
  readonly #gatewayReconnects = new Counter({ name: 'switchboard_gateway_reconnects_total', help: 'Gateway sessions re-established, by how (resumed or identified anew).', labelNames: ['how'], registers: [this.registry] });
  readonly #webhookBacklog = new Gauge({ name: 'switchboard_webhook_backlog', help: 'Webhook deliveries still pending (all instances).', registers: [this.registry] });
  readonly #webhookAttempts = new Counter({ name: 'switchboard_webhook_attempts_total', help: 'Webhook delivery attempts, by outcome.', labelNames: ['outcome'], registers: [this.registry] });
  readonly #webhookLatency = new Histogram({ name: 'switchboard_webhook_delivery_seconds', help: 'Duration of webhook delivery attempts.', buckets: HTTP_SECONDS, registers: [this.registry] });
  readonly #httpDuration = new Histogram({ name: 'switchboard_http_request_duration_seconds', help: 'HTTP request latency, by method, route and status.', labelNames: ['method', 'route', 'status'], buckets: HTTP_SECONDS, registers: [this.registry] });

  constructor(
    private readonly store: Store,
    private readonly providers: ProviderRegistry,
    options: SwitchboardMetricsOptions = {},
  ) {
    this.#labels = new AccountLabels(store.meta, options.revealAccountIds === true);
    // process_* (CPU, memory, file descriptors) and nodejs_* (event loop lag, heap, GC) series.
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The labels an account carries in `/metrics` (opaque unless behind the metrics token): the
   * dashboard shows a tenant its own accounts' labels, so series can be told apart.
   */
  accountLabels(account: { id: string; channel: string }): Promise<{ account: string; channel: string }> {
    return this.#labels.of(account);
  }

  /** The content type of {@link exposition}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition, with the state gauges read from the store first. */
  async exposition(): Promise<string> {
    await this.#collect();
    return this.registry.metrics();
  }

  async #collect(): Promise<void> {
    const { store, providers } = this;
    const [active, slots, accounts, backlog] = await Promise.all([store.jobs.countActive(), store.jobs.slotsInUse(), store.accounts.listAll(), store.outbox.countPending()]);
    this.#activeJobs.reset();
    for (const row of active) this.#activeJobs.set({ bot: row.bot, status: row.status }, row.count);
    const used = new Map(slots.map((s) => [s.accountId, s.count]));
    const labelled = await Promise.all(accounts.map(async (account) => ({ account, labels: await this.#labels.of(account) })));
    this.#slotsInUse.reset();
    this.#slotsFree.reset();
    this.#accounts.reset();
    this.#accountHealth.reset();
    const states = new Map<string, number>();
    for (const { account, labels } of labelled) {
      const provider = providers.get(account.bot);
      const series = { account: labels.account, bot: account.bot };
      const inUse = used.get(account.id) ?? 0;
      this.#slotsInUse.set(series, inUse);
      if (provider) this.#slotsFree.set(series, Math.max(0, provider.capacity(account) - inUse));
      const stateKey = `${account.bot}\u0000${account.health.state}`;
      states.set(stateKey, (states.get(stateKey) ?? 0) + 1);
      // Unlisted (brought by a call) accounts are tracked too: they are accounts the gateway drives.
      for (const state of HEALTH_STATES) this.#accountHealth.set({ bot: account.bot, channel: labels.channel, state }, account.health.state === state ? 1 : 0);
    }
    for (const [stateKey, count] of states) {
      const [bot, state] = stateKey.split('\u0000') as [string, string];
      this.#accounts.set({ bot, state }, count);
    }
    this.#webhookBacklog.set(backlog);
  }

  jobSubmitted(job: JobRecord): void {
    this.#jobsSubmitted.inc({ bot: job.bot, verb: job.verb });
  }

  jobEnded(job: JobRecord): void {
    this.#jobsFinished.inc({ bot: job.bot, verb: job.verb, status: job.status });
    if (job.finishedAt !== null) this.#jobDuration.observe({ bot: job.bot, verb: job.verb }, (job.finishedAt - job.createdAt) / 1000);
  }

  discordSignal(signal: AccountSignal): void {
    if (signal.type === 'api_error') this.#discordErrors.inc({ kind: signal.error.kind, code: String(signal.error.code ?? 0), status: String(signal.error.status ?? 0) });
    else if (signal.type === 'rate_limited') this.#discordRateLimits.inc({ scope: signal.global ? 'global' : 'user' });
  }

  botMessageKept(bot: string, reason: string): void {
    this.#botMessagesKept.inc({ bot, reason });
  }

  gatewayReconnected(how: 'resumed' | 'identified'): void {
    this.#gatewayReconnects.inc({ how });
  }

  webhookAttempt(outcome: 'delivered' | 'retry' | 'failed', durationMs: number): void {
    this.#webhookAttempts.inc({ outcome });
    this.#webhookLatency.observe(durationMs / 1000);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status: String(status) }, seconds);
  }
}
