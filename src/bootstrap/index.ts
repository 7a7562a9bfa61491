/**
 * The composition root: from a config to the running services — store, secrets, accounts and
 * their Discord clients, jobs (service + runner), and webhook delivery. `switchboard serve`, the
 * CLI's other commands and the tests all start here.
 */
import { AccountPool, AccountSelector, AccountService, type AccountPoolOptions } from '../accounts/index.ts';
import type { Config } from '../config/index.ts';
import { instanceIdFor, LeaseManager } from '../cluster/index.ts';
import { JobEvents, JobRunner, JobService, RetentionSweeper } from '../jobs/index.ts';
import { verifyAccount } from '../discord/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { SwitchboardMetrics } from '../metrics/index.ts';
import { registry, type ProviderRegistry } from '../providers/index.ts';
import { openSecretBox, type SecretBox } from '../secrets/index.ts';
import { openStore, type JobRecord, type OpenStoreOptions, type Store } from '../store/index.ts';
import { WebhookDispatcher, type RetryPolicy } from '../webhooks/index.ts';

/** Knobs tests (and benchmarks) turn; production uses the defaults. */
export interface RuntimeOptions {
  store?: OpenStoreOptions;
  log?: Logger;
  client?: AccountPoolOptions['client'];
  health?: AccountPoolOptions['health'];
  runnerPollMs?: number;
  lease?: { leaseMs?: number; intervalMs?: number };
  webhookPollMs?: number;
  webhookRetry?: RetryPolicy;
  /** The bots served; the built-in registry by default (tests add their own providers). */
  providers?: ProviderRegistry;
}

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  secrets: SecretBox;
  accounts: AccountService;
  providers: ProviderRegistry;
  pool: AccountPool;
  events: JobEvents;
  jobs: JobService;
  runner: JobRunner;
  webhooks: WebhookDispatcher;
  leases: LeaseManager;
  metrics: SwitchboardMetrics;
  retention: RetentionSweeper;
  /** Starts the background work: health re-probes, the job runner, webhook delivery. */
  start(): Promise<void>;
  /** Stops the background work and closes the store. Safe to call once after or without start. */
  close(): Promise<void>;
}

export async function openServices(config: Config, runtime: RuntimeOptions = {}): Promise<Services> {
  const log = runtime.log ?? createLogger(config.logLevel);
  const store = await openStore(config, runtime.store ?? {});
  let secrets: SecretBox;
  try {
    secrets = await openSecretBox(config, store.meta);
  } catch (error) {
    await store.close();
    throw error;
  }
  const providers = runtime.providers ?? registry;
  const metrics = new SwitchboardMetrics(store, providers);
  const notifications = store.notifications;
  const events = new JobEvents(notifications ? (jobid) => void notifications.publish('job', jobid).catch(() => undefined) : undefined);
  const leases = new LeaseManager({
    store,
    instanceId: instanceIdFor(config),
    log,
    ...runtime.lease,
    onAcquired: (ids) => {
      void pool.adopt(ids).catch((error) => log.error({ err: error }, 'adopting accounts failed'));
      runner.accountsChanged();
    },
    onLost: (ids) => {
      ids.forEach((id) => pool.release(id));
      runner.accountsChanged();
    },
  });
  const pool = new AccountPool({
    owns: (id) => leases.owns(id),
    store,
    secrets,
    apiUrl: config.discordApiUrl,
    ...(config.discordGatewayUrl ? { gatewayUrl: config.discordGatewayUrl } : {}),
    ...(runtime.client ? { client: runtime.client } : {}),
    onSignal: (_accountId, signal) => metrics.discordSignal(signal),
    onReconnect: (how) => metrics.gatewayReconnected(how),
    health: {
      ...runtime.health,
      onChange: (accountId, health, previous) => log.warn({ account: accountId, from: previous.state, to: health.state, reason: health.reason }, 'account health changed'),
    },
  });
  const webhooks = new WebhookDispatcher({
    store,
    secrets,
    allowPrivate: config.allowPrivateCallbacks,
    log,
    onAttempt: (outcome, durationMs) => metrics.webhookAttempt(outcome, durationMs),
    ...(runtime.webhookRetry ? { retry: runtime.webhookRetry } : {}),
    ...(runtime.webhookPollMs ? { pollIntervalMs: runtime.webhookPollMs } : {}),
  });
  const runner = new JobRunner({
    store,
    pool,
    providers,
    events,
    log,
    owns: (id) => leases.owns(id),
    retainResults: config.retainResults,
    ...(runtime.runnerPollMs ? { pollIntervalMs: runtime.runnerPollMs } : {}),
  });
  // Submissions wake the local runner; when another instance owns the job's account, that one
  // too, through the database.
  const wake = (job: JobRecord) => {
    runner.wake(job);
    if (notifications && !(job.accountId && leases.owns(job.accountId))) void notifications.publish('work', '').catch(() => undefined);
  };
  const jobs = new JobService({
    store,
    secrets,
    providers,
    events,
    queueLimit: config.queueLimit,
    allowPrivateCallbacks: config.allowPrivateCallbacks,
    wake,
    selector: new AccountSelector({
      store,
      secrets,
      // A bring-your-own call brought a new token for its channel: the client and the runner follow.
      onAccountChanged: (account) => {
        pool.refresh(account);
        runner.accountsChanged();
      },
    }),
    onSubmitted: (job) => metrics.jobSubmitted(job),
  });
  // Every job ending (bot result, failure, cancel, expiry, recovery) is announced once, by endJob.
  events.onEnded((job) => {
    metrics.jobEnded(job);
    if (job.replyUrl) webhooks.kick();
  });
  const retention = new RetentionSweeper(store, { resultDays: config.resultRetentionDays, jobDays: config.jobRetentionDays });
  let started = false;
  return {
    config,
    log,
    store,
    secrets,
    accounts: new AccountService(store, secrets, {
      ...(config.verifyAccounts ? { verify: (input) => verifyAccount({ ...input, apiUrl: config.discordApiUrl }) } : {}),
      onChange: (change) => {
        if (change.kind === 'saved') pool.refresh(change.account);
        else pool.release(change.accountId);
        runner.accountsChanged();
        leases.kick(); // a new account gets an owner now rather than at the next round
      },
      ...(runtime.health?.policy ? { healthPolicy: runtime.health.policy } : {}),
    }),
    providers,
    pool,
    events,
    jobs,
    runner,
    webhooks,
    leases,
    metrics,
    retention,
    async start() {
      started = true;
      if (notifications) {
        await notifications.subscribe('job', (jobid) => events.emitLocal(jobid));
        await notifications.subscribe('work', () => runner.wake());
      }
      await leases.start();
      await pool.start();
      runner.start();
      webhooks.start();
      retention.start();
    },
    async close() {
      if (started) {
        retention.stop();
        await runner.stop();
        await webhooks.stop();
        await leases.stop();
        pool.stop();
      }
      await store.close();
    },
  };
}
