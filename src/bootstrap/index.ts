/**
 * The composition root: from a config to the running services — store, secrets, accounts and
 * their Discord clients, jobs (service + runner), and webhook delivery. `switchboard serve`, the
 * CLI's other commands and the tests all start here.
 */
import { AccountPool, AccountService, type AccountPoolOptions } from '../accounts/index.ts';
import type { Config } from '../config/index.ts';
import { JobEvents, JobRunner, JobService } from '../jobs/index.ts';
import { verifyAccount } from '../discord/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { providers, type Provider } from '../providers/index.ts';
import { openSecretBox, type SecretBox } from '../secrets/index.ts';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.ts';
import { WebhookDispatcher, type RetryPolicy } from '../webhooks/index.ts';

/** Knobs tests (and benchmarks) turn; production uses the defaults. */
export interface RuntimeOptions {
  store?: OpenStoreOptions;
  log?: Logger;
  client?: AccountPoolOptions['client'];
  health?: AccountPoolOptions['health'];
  runnerPollMs?: number;
  webhookPollMs?: number;
  webhookRetry?: RetryPolicy;
}

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  secrets: SecretBox;
  accounts: AccountService;
  providers: readonly Provider[];
  pool: AccountPool;
  events: JobEvents;
  jobs: JobService;
  runner: JobRunner;
  webhooks: WebhookDispatcher;
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
  const events = new JobEvents();
  const pool = new AccountPool({
    store,
    secrets,
    apiUrl: config.discordApiUrl,
    ...(config.discordGatewayUrl ? { gatewayUrl: config.discordGatewayUrl } : {}),
    ...(runtime.client ? { client: runtime.client } : {}),
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
    ...(runtime.webhookRetry ? { retry: runtime.webhookRetry } : {}),
    ...(runtime.webhookPollMs ? { pollIntervalMs: runtime.webhookPollMs } : {}),
  });
  const runner = new JobRunner({
    store,
    pool,
    providers,
    events,
    log,
    onJobEnded: (job) => {
      if (job.replyUrl) webhooks.kick();
    },
    ...(runtime.runnerPollMs ? { pollIntervalMs: runtime.runnerPollMs } : {}),
  });
  const jobs = new JobService({ store, secrets, providers, events, queueLimit: config.queueLimit, allowPrivateCallbacks: config.allowPrivateCallbacks, wake: () => runner.wake() });
  let started = false;
  return {
    config,
    log,
    store,
    secrets,
    accounts: new AccountService(store, secrets, {
      ...(config.verifyAccounts ? { verify: (input) => verifyAccount({ ...input, apiUrl: config.discordApiUrl }) } : {}),
      onChange: (change) => (change.kind === 'saved' ? pool.refresh(change.account) : pool.release(change.accountId)),
      ...(runtime.health?.policy ? { healthPolicy: runtime.health.policy } : {}),
    }),
    providers,
    pool,
    events,
    jobs,
    runner,
    webhooks,
    async start() {
      started = true;
      await pool.start();
      runner.start();
      webhooks.start();
    },
    async close() {
      if (started) {
        await runner.stop();
        await webhooks.stop();
        pool.stop();
      }
      await store.close();
    },
  };
}
