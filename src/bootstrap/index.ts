/**
 * The composition root: from a config to the running services — store, secrets, accounts and
 * their Discord clients, jobs (service + runner), and webhook delivery. `switchboard serve`, the
 * CLI's other commands and the tests all start here.
 */
import { AccountPool, AccountSelector, AccountService, checkOwnership, checkProviderCommands, HiddenAccountSweeper, type AccountPoolOptions } from '../accounts/index.ts';
import { DiscordBudget } from '../limits/index.ts';
import type { Config } from '../config/index.ts';
import { instanceIdFor, LeaseManager } from '../cluster/index.ts';
import { JobEvents, JobRunner, JobService, RetainedBytes, RetentionSweeper } from '../jobs/index.ts';
import {
  chromeTransport,
  ClientIdentity,
  loadWreq,
  directTransport,
  discoverBuildNumber,
  PINNED_BUILD_NUMBER,
  proxyTransport,
  resolveProfile,
  verifyAccount,
  checkClient,
  type ClientProfile,
  type Transport,
} from '../discord/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { SwitchboardMetrics } from '../metrics/index.ts';
import { configureProviders, registry, type ProviderRegistry } from '../providers/index.ts';
import { openSecretBox, type SecretBox } from '../secrets/index.ts';
import { openStore, type JobRecord, type OpenStoreOptions, type Store } from '../store/index.ts';
import { AccountAlerts, WebhookDispatcher, type RetryPolicy } from '../webhooks/index.ts';

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
  /** Bot rules used when no SWITCHBOARD_BOT_RULES file is configured (the simulator's wording). */
  fallbackBotRules?: unknown;
  /** The bots served; the built-in registry by default (tests add their own providers). */
  providers?: ProviderRegistry;
}

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  secrets: SecretBox;
  accounts: AccountService;
  /** Per-tenant budget for calls that reach Discord for the caller, and the server's auth-failure ceiling. */
  discordBudget: DiscordBudget;
  providers: ProviderRegistry;
  pool: AccountPool;
  events: JobEvents;
  jobs: JobService;
  runner: JobRunner;
  webhooks: WebhookDispatcher;
  leases: LeaseManager;
  metrics: SwitchboardMetrics;
  retention: RetentionSweeper;
  /** The HTTP server listens at this origin (a fallback base for result URLs in webhooks). */
  listening(origin: string): void;
  /** Starts the background work: health re-probes, the job runner, webhook delivery. */
  start(): Promise<void>;
  /** Stops the background work and closes the store. Safe to call once after or without start. */
  close(): Promise<void>;
}

export async function openServices(config: Config, runtime: RuntimeOptions = {}): Promise<Services> {
  const log = runtime.log ?? createLogger(config.logLevel);
  // Bot rules are checked before anything opens: a bad rules file stops the start (exit 78).
  configureProviders(config, runtime.fallbackBotRules);
  const store = await openStore(config, runtime.store ?? {});
  let secrets: SecretBox;
  try {
    secrets = await openSecretBox(config, store);
  } catch (error) {
    await store.close();
    throw error;
  }
  const providers = runtime.providers ?? registry;
  // The browser accounts pass as: configuration, then the build number found at start, then the
  // per-channel profile. The proxy: the account's own, else the configured default, else direct.
  let baseProfile: Partial<ClientProfile> = config.clientProfile;
  const profileFor = (channel: string): ClientProfile => resolveProfile(baseProfile, config.clientProfiles[channel]);
  const transportFor = (proxy: string | undefined, profile: ClientProfile = resolveProfile(baseProfile)): Transport => {
    const url = proxy ?? config.proxy;
    if (config.tls === 'chrome') return chromeTransport({ profile, ...(url ? { proxy: url } : {}) });
    return url ? proxyTransport(url) : directTransport;
  };
  const metrics = new SwitchboardMetrics(store, providers, { revealAccountIds: config.metricsToken !== undefined });
  const discordBudget = new DiscordBudget({ perTenant: config.discordRateLimit, authFailures: config.authFailureLimit });
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
    profileFor: (account) => profileFor(account.channel),
    transportFor: (account) => transportFor(account.proxy ? secrets.decrypt(account.proxy) : undefined, profileFor(account.channel)),
    onSignal: (_accountId, signal) => {
      metrics.discordSignal(signal);
      if ((signal.type === 'api_error' && signal.error.status === 401) || (signal.type === 'gateway_fatal' && signal.error.closeCode === 4004)) discordBudget.authFailed();
    },
    onReconnect: (how) => metrics.gatewayReconnected(how),
    health: {
      ...runtime.health,
      onChange: (accountId, health, previous) => {
        log.warn({ account: accountId, from: previous.state, to: health.state, reason: health.reason }, 'account health changed');
        alerts.healthChanged(accountId, health, previous);
      },
    },
  });
  // Where the HTTP server listens (set by `listening`), for result URLs in webhooks when no
  // SWITCHBOARD_PUBLIC_URL is configured.
  let listenOrigin: string | undefined;
  const webhooks = new WebhookDispatcher({
    store,
    secrets,
    allowPrivate: config.allowPrivateCallbacks,
    resultBase: () => config.publicUrl ?? listenOrigin,
    perTenantConcurrency: config.webhookConcurrencyPerTenant,
    log,
    onAttempt: (outcome, durationMs) => metrics.webhookAttempt(outcome, durationMs),
    ...(runtime.webhookRetry ? { retry: runtime.webhookRetry } : {}),
    ...(runtime.webhookPollMs ? { pollIntervalMs: runtime.webhookPollMs } : {}),
  });
  const alerts = new AccountAlerts({ store, kick: () => webhooks.kick(), onError: (error) => log.error({ err: error }, 'queueing an account alert failed') });
  const runner = new JobRunner({
    store,
    pool,
    providers,
    events,
    log,
    owns: (id) => leases.owns(id),
    retainResults: config.retainResults && { allowPrivate: config.allowPrivateCallbacks, maxTenantBytes: config.maxResultBytesPerTenant, usage: new RetainedBytes(store) },
    observer: metrics,
    quarantineMs: config.quarantineMs,
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
      checkOwnership: (claim) => checkOwnership(store, claim, config.maxAccountsPerTenant),
    }),
    onSubmitted: (job) => metrics.jobSubmitted(job),
    maxActiveJobsPerTenant: config.maxActiveJobsPerTenant,
  });
  // Every job ending (bot result, failure, cancel, expiry, recovery) is announced once, by endJob.
  events.onEnded((job) => {
    metrics.jobEnded(job);
    if (job.replyUrl) webhooks.kick();
  });
  /**
   * The web client's build number: pinned in the configured profile, else read from Discord's web
   * app (the API URL's origin) at start, else the pinned fallback. One log line says which.
   */
  const buildNumberAtStart = async (): Promise<number> => {
    if (config.clientProfile.buildNumber !== undefined) {
      log.info({ buildNumber: config.clientProfile.buildNumber, source: 'configured' }, 'client build number set by SWITCHBOARD_CLIENT_PROFILE');
      return config.clientProfile.buildNumber;
    }
    if (!config.discoverBuildNumber) {
      log.info({ buildNumber: PINNED_BUILD_NUMBER, source: 'pinned' }, 'client build number pinned (discovery is off)');
      return PINNED_BUILD_NUMBER;
    }
    const transport = transportFor(undefined);
    const identity = new ClientIdentity(resolveProfile(baseProfile));
    try {
      const webOrigin = new URL(config.discordApiUrl).origin;
      const result = await discoverBuildNumber({ webOrigin, fallback: PINNED_BUILD_NUMBER, fetch: transport.fetch, headers: { 'User-Agent': identity.profile.userAgent, 'Accept-Language': identity.gatewayHeaders()['Accept-Language']! } });
      if (result.source === 'discovered') log.info({ buildNumber: result.buildNumber, source: 'discovered', from: webOrigin }, 'client build number discovered from the web app');
      else log.warn({ buildNumber: result.buildNumber, source: 'pinned', reason: result.reason }, 'client build number could not be discovered; using the pinned fallback');
      return result.buildNumber;
    } finally {
      if (transport !== directTransport) await transport.close().catch(() => undefined);
    }
  };
  const retention = new RetentionSweeper(store, { resultDays: config.resultRetentionDays, jobDays: config.jobRetentionDays });
  const accounts = new AccountService(store, secrets, {
      // Finding an account's channel from its token (e.g. the DM with the bot): the same client as
      // verification, so the same browser profile and the account's proxy. The channel is not known
      // yet, so a per-channel profile cannot apply; the base profile is what such an account gets.
      discord: async ({ token, proxy }, use) => {
        const profile = resolveProfile(baseProfile);
        const transport = transportFor(proxy, profile);
        try {
          return await use(checkClient({ token, apiUrl: config.discordApiUrl, fetch: transport.fetch, profile }));
        } finally {
          if (transport !== directTransport) await transport.close().catch(() => undefined);
        }
      },
      ...(config.verifyAccounts
        ? {
            verify: async ({ proxy, ...input }) => {
              const transport = transportFor(proxy, profileFor(input.channelId));
              try {
                return await verifyAccount({ ...input, apiUrl: config.discordApiUrl, fetch: transport.fetch, profile: profileFor(input.channelId) });
              } finally {
                if (transport !== directTransport) await transport.close().catch(() => undefined);
              }
            },
            // The command check goes the way the account's traffic will (its proxy and browser profile).
            checkCommands: async (provider, { proxy, ...input }) => {
              const transport = transportFor(proxy, profileFor(input.channelId));
              try {
                return await checkProviderCommands(provider, { ...input, apiUrl: config.discordApiUrl, fetch: transport.fetch, profile: profileFor(input.channelId) });
              } finally {
                if (transport !== directTransport) await transport.close().catch(() => undefined);
              }
            },
          }
        : {}),
      onChange: (change) => {
        if (change.kind === 'saved') pool.refresh(change.account);
        else pool.release(change.accountId);
        runner.accountsChanged();
        leases.kick(); // a new account gets an owner now rather than at the next round
      },
      ...(runtime.health?.policy ? { healthPolicy: runtime.health.policy } : {}),
      allowPrivateCallbacks: config.allowPrivateCallbacks,
      maxAccountsPerTenant: config.maxAccountsPerTenant,
      beforeDiscordCall: (tenantId) => discordBudget.spend(tenantId),
      onDiscordAuthFailure: () => discordBudget.authFailed(),
  });
  const hiddenAccounts = new HiddenAccountSweeper(accounts, { maxAgeMs: config.hiddenAccountDays * 24 * 60 * 60_000, onError: (error) => log.warn({ err: error }, 'forgetting unused bring-your-own accounts failed') });
  let started = false;
  return {
    config,
    log,
    store,
    secrets,
    accounts,
    discordBudget,
    providers,
    pool,
    events,
    jobs,
    runner,
    webhooks,
    leases,
    metrics,
    retention,
    listening(origin) {
      listenOrigin = origin;
    },
    async start() {
      started = true;
      if (config.tls === 'chrome') {
        await loadWreq(); // fail at start, not at the first account, when the native module is missing
        log.info({ tls: 'chrome' }, 'Discord traffic uses the browser TLS transport (wreq-js)');
      }
      baseProfile = { ...baseProfile, buildNumber: await buildNumberAtStart() };
      if (notifications) {
        await notifications.subscribe('job', (jobid) => events.emitLocal(jobid));
        await notifications.subscribe('work', () => runner.wake());
      }
      await leases.start();
      await pool.start();
      runner.start();
      webhooks.start();
      retention.start();
      hiddenAccounts.start();
    },
    async close() {
      if (started) {
        retention.stop();
        hiddenAccounts.stop();
        await runner.stop();
        await webhooks.stop();
        await leases.stop();
        pool.stop();
      }
      await store.close();
    },
  };
}
