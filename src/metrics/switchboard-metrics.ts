/**
 * The metrics switchboard exports at `/metrics`. Events (jobs ending, Discord errors, webhook
 * attempts, HTTP requests) are counted as they happen in this process; state (active jobs, slots,
 * account health, webhook backlog) is read from the store at scrape time.
 */
import type { AccountSignal } from '../discord/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { Registry } from './registry.ts';

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
const HTTP_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120];

export class SwitchboardMetrics {
  readonly registry = new Registry();
  readonly #jobsSubmitted = this.registry.counter('switchboard_jobs_submitted_total', 'Jobs accepted by the API, by bot and verb.');
  readonly #jobsFinished = this.registry.counter('switchboard_jobs_finished_total', 'Jobs that reached a terminal status, by bot, verb and status.');
  readonly #jobDuration = this.registry.histogram('switchboard_job_duration_seconds', 'Time from submission to the terminal status, by bot and verb.', SECONDS);
  readonly #activeJobs = this.registry.gauge('switchboard_jobs_active', 'Jobs not yet finished, by bot and status (all instances).');
  readonly #slotsInUse = this.registry.gauge('switchboard_account_slots_in_use', 'Capacity slots taken, per account.');
  readonly #slotsFree = this.registry.gauge('switchboard_account_slots_free', 'Capacity slots free, per account.');
  readonly #accounts = this.registry.gauge('switchboard_accounts', 'Accounts by bot and health state.');
  readonly #discordErrors = this.registry.counter('switchboard_discord_errors_total', 'Errors Discord answered, by kind and Discord code.');
  readonly #discordRateLimits = this.registry.counter('switchboard_discord_rate_limits_total', '429 answers from Discord, by scope.');
  readonly #gatewayReconnects = this.registry.counter('switchboard_gateway_reconnects_total', 'Gateway sessions re-established, by how (resumed or identified anew).');
  readonly #webhookBacklog = this.registry.gauge('switchboard_webhook_backlog', 'Webhook deliveries still pending (all instances).');
  readonly #webhookAttempts = this.registry.counter('switchboard_webhook_attempts_total', 'Webhook delivery attempts, by outcome.');
  readonly #webhookLatency = this.registry.histogram('switchboard_webhook_delivery_seconds', 'Duration of webhook delivery attempts.', HTTP_SECONDS);
  readonly #httpDuration = this.registry.histogram('switchboard_http_request_duration_seconds', 'HTTP request latency, by method, route and status.', HTTP_SECONDS);

  constructor(store: Store, providers: ProviderRegistry) {
    this.registry.collect(async () => {
      const [active, slots, accounts, backlog] = await Promise.all([store.jobs.countActive(), store.jobs.slotsInUse(), store.accounts.listAll(), store.outbox.countPending()]);
      this.#activeJobs.reset();
      for (const row of active) this.#activeJobs.set({ bot: row.bot, status: row.status }, row.count);
      const used = new Map(slots.map((s) => [s.accountId, s.count]));
      this.#slotsInUse.reset();
      this.#slotsFree.reset();
      this.#accounts.reset();
      const states = new Map<string, number>();
      for (const account of accounts) {
        const provider = providers.get(account.bot);
        const labels = { account: account.id, bot: account.bot };
        const inUse = used.get(account.id) ?? 0;
        this.#slotsInUse.set(labels, inUse);
        if (provider) this.#slotsFree.set(labels, Math.max(0, provider.capacity(account) - inUse));
        const stateKey = `${account.bot}\u0000${account.health.state}`;
        states.set(stateKey, (states.get(stateKey) ?? 0) + 1);
      }
      for (const [stateKey, count] of states) {
        const [bot, state] = stateKey.split('\u0000') as [string, string];
        this.#accounts.set({ bot, state }, count);
      }
      this.#webhookBacklog.reset();
      this.#webhookBacklog.set({}, backlog);
    });
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

  gatewayReconnected(how: 'resumed' | 'identified'): void {
    this.#gatewayReconnects.inc({ how });
  }

  webhookAttempt(outcome: 'delivered' | 'retry' | 'failed', durationMs: number): void {
    this.#webhookAttempts.inc({ outcome });
    this.#webhookLatency.observe({}, durationMs / 1000);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status: String(status) }, seconds);
  }
}
