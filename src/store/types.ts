/**
 * The storage contract. One implementation ({@link SqlStore}) serves both dialects; what differs
 * between SQLite and PostgreSQL lives in `sqlite/` and `postgres/` and surfaces here only as
 * optional capabilities, so callers ask `if (store.listen)`, never "is this PostgreSQL?".
 */
import type { JobStore } from './job-types.ts';
import type { OutboxStore } from './outbox-types.ts';
import type { LeaseStore } from './lease-types.ts';

export * from './job-types.ts';
export * from './outbox-types.ts';
export * from './lease-types.ts';

/**
 * The account health vocabulary, declared once: the store persists it, the state machine in
 * `accounts/health.ts` moves between these states, and the API and dashboard show them.
 * Only `active` accounts take work.
 */
export const HEALTH_STATES = ['active', 'cooling_down', 'needs_human', 'auth_failed', 'unreachable'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface TenantRecord {
  id: string;
  name: string;
  tokenHint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewTenant {
  id: string;
  name: string;
  tokenHash: string;
  tokenHint: string;
  createdAt: number;
}

export interface Credits {
  timestamp: string;
  total: number;
  used: number;
}

export interface AccountHealth {
  state: HealthState;
  /** Machine-readable cause (e.g. `captcha`, `token_rejected`). */
  reason: string | null;
  /** Human-readable detail; never contains a token. */
  detail: string | null;
  /** Consecutive failures (drives re-probe backoff). */
  failures: number;
  since: number | null;
  until: number | null;
  nextProbeAt: number | null;
}

export interface AccountRecord {
  id: string;
  tenantId: string;
  bot: string;
  channel: string;
  server: string | null;
  /** Ciphertext; only src/secrets can open it. */
  discordToken: string;
  discordFingerprint: string;
  maxJobs: number | null;
  /** False for a channel a call brought itself (bring-your-own providers); tracked but not listed. */
  listed: boolean;
  credits: Credits | null;
  health: AccountHealth;
  createdAt: number;
  updatedAt: number;
}

/** What a create-or-update writes; `id` is used only when the row is new. */
export interface AccountInput {
  id: string;
  tenantId: string;
  bot: string;
  channel: string;
  server: string | null;
  discordToken: string;
  discordFingerprint: string;
  maxJobs: number | null;
  now: number;
}

/** Raised when a write would break a uniqueness rule; `field` names the rule. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
  constructor(readonly field: 'discord' | 'server' | 'channel' | 'name' | 'jobid', options?: ErrorOptions) {
    super(`unique constraint on ${field}`, options);
  }
}

export interface TenantStore {
  create(tenant: NewTenant): Promise<TenantRecord>;
  /** The tenant that owns this token hash (with the stored hash), unless revoked. */
  findByTokenHash(tokenHash: string): Promise<(TenantRecord & { tokenHash: string }) | undefined>;
  list(): Promise<TenantRecord[]>;
  /** Revokes every live tenant whose id or name equals `idOrName`; returns the ones revoked. */
  revoke(idOrName: string, at: number): Promise<TenantRecord[]>;
  countActive(): Promise<number>;
  /** The tenant's sealed webhook secret, created with `create()` on first use (race-safe). */
  webhookSecret(tenantId: string, create: () => string): Promise<string>;
}

export interface AccountStore {
  /** The tenant's configured (listed) accounts for a bot. */
  list(tenantId: string, bot: string): Promise<AccountRecord[]>;
  /**
   * The account row for a channel a call brought itself: created unlisted if missing, its token
   * and maxJobs refreshed if it is unlisted. A configured row is returned untouched.
   */
  ensureUnlisted(input: AccountInput): Promise<AccountRecord>;
  /** Every account of every tenant (background loops: health re-probes, runners). */
  listAll(): Promise<AccountRecord[]>;
  getById(accountId: string): Promise<AccountRecord | undefined>;
  get(tenantId: string, bot: string, channel: string): Promise<AccountRecord | undefined>;
  /** Creates or replaces the (listed) account for (tenant, bot, channel). Throws {@link UniqueViolation}. */
  upsert(input: AccountInput): Promise<AccountRecord>;
  delete(tenantId: string, bot: string, channel: string): Promise<boolean>;
  setCredits(accountId: string, credits: Credits | null, now: number): Promise<void>;
  setHealth(accountId: string, health: AccountHealth, now: number): Promise<void>;
}

export interface MetaStore {
  get(key: string): Promise<string | undefined>;
  /** Sets the value only if the key has none yet; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * Cross-instance notifications (PostgreSQL LISTEN/NOTIFY). Only a latency hint: every consumer
 * also polls the rows, which stay the truth.
 */
export interface StoreNotifications {
  publish(topic: string, payload: string): Promise<void>;
  /** Calls `handler` for every message on `topic` from the other instances (an instance does not hear its own). */
  subscribe(topic: string, handler: (payload: string) => void): Promise<void>;
}

export interface Store {
  readonly jobs: JobStore;
  readonly outbox: OutboxStore;
  readonly leases: LeaseStore;
  /** Present when the database can notify other instances (PostgreSQL). */
  readonly notifications?: StoreNotifications;
  /** Human-readable location for logs, never containing a password. */
  readonly description: string;
  readonly tenants: TenantStore;
  readonly accounts: AccountStore;
  readonly meta: MetaStore;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
