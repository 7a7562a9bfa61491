/**
 * One live Discord client per account (REST + Gateway), created when an account first has work
 * and kept while the process runs. Every client's signals feed the account's health, which is
 * persisted to the store — where selection reads it, on this instance and on others.
 */
import { DiscordAccountClient, type AccountSignal, type ClientProfile, type DiscordAccountClientOptions, type Transport } from '../discord/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { AccountHealth as StoredHealth, AccountRecord, Store } from '../store/index.ts';
import { HealthMonitor, healthEventFromSignal, type AccountHealth, type HealthMonitorOptions } from './health.ts';

export interface AccountPoolOptions {
  store: Store;
  secrets: SecretBox;
  apiUrl: string;
  gatewayUrl?: string;
  /** Client tuning (tests shorten heartbeats and timeouts). */
  client?: Partial<Omit<DiscordAccountClientOptions, 'token' | 'apiUrl' | 'gatewayUrl'>>;
  health?: Partial<Pick<HealthMonitorOptions, 'policy' | 'tickMs' | 'onChange'>>;
  /** Accounts whose Gateway session and health this instance keeps (its leases); default all. */
  owns?: (accountId: string) => boolean;
  /** Observers (metrics): every client signal, and every re-established Gateway session. */
  onSignal?: (accountId: string, signal: AccountSignal) => void;
  onReconnect?: (how: 'resumed' | 'identified') => void;
  now?: () => number;
  /** The browser profile an account's client presents (config layers merged). Default: the default profile. */
  profileFor?: (account: AccountRecord) => Partial<ClientProfile>;
  /** How an account reaches Discord (its proxy, or the default one). Default: direct. */
  transportFor?: (account: AccountRecord) => Transport;
}

export function toStoredHealth(health: AccountHealth): StoredHealth {
  return {
    state: health.state,
    reason: health.reason,
    detail: health.detail ?? null,
    failures: health.failures,
    since: health.since,
    until: health.until ?? null,
    nextProbeAt: health.nextProbeAt ?? null,
  };
}

export function fromStoredHealth(health: StoredHealth, now: number): AccountHealth {
  return {
    state: health.state,
    reason: health.reason ?? 'created',
    ...(health.detail ? { detail: health.detail } : {}),
    since: health.since ?? now,
    ...(health.until !== null ? { until: health.until } : {}),
    ...(health.nextProbeAt !== null ? { nextProbeAt: health.nextProbeAt } : {}),
    failures: health.failures,
    updatedAt: now,
  };
}

interface Entry {
  client: DiscordAccountClient;
  /** Token and proxy: a change to either makes a new client. */
  fingerprint: string;
}

const entryFingerprint = (account: AccountRecord): string => `${account.discordFingerprint}|${account.proxy ?? ''}`;

export class AccountPool {
  readonly health: HealthMonitor;
  readonly #entries = new Map<string, Entry>();
  readonly #o: AccountPoolOptions;
  readonly #now: () => number;

  constructor(options: AccountPoolOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.health = new HealthMonitor({
      ...options.health,
      now: this.#now,
      store: { saveHealth: (accountId, health) => options.store.accounts.setHealth(accountId, toStoredHealth(health), this.#now()) },
      probe: async (accountId) => {
        const account = await options.store.accounts.getById(accountId);
        if (!account) return { type: 'probe_ok' };
        await this.client(account).probe();
        return { type: 'probe_ok' };
      },
    });
  }

  /** Starts re-probing the owned accounts the store marks unhealthy (e.g. from before a restart). */
  async start(): Promise<void> {
    for (const account of await this.#o.store.accounts.listAll()) {
      if (account.health.state !== 'active' && this.#owns(account.id)) this.#track(account);
    }
    this.health.start();
  }

  #owns(accountId: string): boolean {
    return this.#o.owns?.(accountId) ?? true;
  }

  /** Takes over accounts (their leases were just acquired): health tracking and a live Gateway session each. */
  async adopt(accountIds: string[]): Promise<void> {
    for (const id of accountIds) {
      const account = await this.#o.store.accounts.getById(id);
      if (account) this.client(account);
    }
  }

  #track(account: AccountRecord): void {
    if (!this.health.get(account.id)) this.health.track(account.id, fromStoredHealth(account.health, this.#now()));
  }

  /** The account's client, created (and its gateway connected) on first use; a new token replaces it. */
  client(account: AccountRecord): DiscordAccountClient {
    const existing = this.#entries.get(account.id);
    if (existing && existing.fingerprint === entryFingerprint(account)) return existing.client;
    if (existing) this.#stopClient(existing.client);
    this.#track(account);
    const client = new DiscordAccountClient({
      ...this.#o.client,
      token: this.#o.secrets.decrypt(account.discordToken),
      apiUrl: this.#o.apiUrl,
      ...(this.#o.gatewayUrl ? { gatewayUrl: this.#o.gatewayUrl } : {}),
      ...(this.#o.profileFor ? { profile: this.#o.profileFor(account) } : {}),
      ...(this.#o.transportFor ? { transport: this.#o.transportFor(account) } : {}),
    });
    client.on('signal', (signal) => {
      this.#o.onSignal?.(account.id, signal);
      const event = healthEventFromSignal(signal);
      if (event) void this.health.report(account.id, event).catch(() => undefined);
    });
    let readies = 0;
    client.on('ready', () => {
      if (readies++ > 0) this.#o.onReconnect?.('identified');
    });
    client.on('resumed', () => this.#o.onReconnect?.('resumed'));
    this.#entries.set(account.id, { client, fingerprint: entryFingerprint(account) });
    void client.start().catch(() => undefined); // failures arrive as signals
    return client;
  }

  /** Follows a saved account: its stored health replaces what the monitor knew (a re-verified token starts afresh). */
  refresh(account: AccountRecord): void {
    if (!this.#owns(account.id)) return;
    this.health.untrack(account.id);
    this.health.track(account.id, fromStoredHealth(account.health, this.#now()));
  }

  /** Forgets an account (deleted or re-keyed): its gateway session is closed. */
  release(accountId: string): void {
    const entry = this.#entries.get(accountId);
    if (entry) this.#stopClient(entry.client);
    this.#entries.delete(accountId);
    this.health.untrack(accountId);
  }

  stop(): void {
    this.health.stop();
    for (const { client } of this.#entries.values()) this.#stopClient(client);
    this.#entries.clear();
  }

  /** Closes the Gateway session and the account's own transport (its proxy connections). */
  #stopClient(client: DiscordAccountClient): void {
    client.stop();
    void client.transport.close().catch(() => undefined);
  }
}
