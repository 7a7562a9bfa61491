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

/** A tenant as its token's lookup finds it: with the stored hash, for the constant-time comparison. */
export type TenantWithHash = TenantRecord & { tokenHash: string };

export interface NewTenant {
  id: string;
  name: string;
  tokenHash: string;
  tokenHint: string;
  createdAt: number;
}

export interface Credits {
  /** When the bot last revealed something about the account's credits (ISO time). */
  timestamp: string;
  /** The account's allowance, when the bot prints it (the real bot's place for it is not public). */
  total?: number;
  /** Credits used since the last reset: the bot's own figure, or the sum of the per-job costs it printed. */
  used: number;
  /** When the bot refused a command for lack of credits (epoch ms); cleared by the reset rule. */
  exhaustedAt?: number;
}

/** What the bot last said about an account's state on its side (e.g. a speed mode), as its provider reads it. */
export interface ReportedAccountStatus {
  /** Epoch ms of the latest report. */
  at: number;
  /** Flat fields the provider names, merged report after report. */
  fields: Record<string, string | number | boolean>;
}

/** A bot message that no reply rule understood (or that arrived where no job could own it). */
export interface BotMessageNote {
  /** Epoch ms when switchboard saw it. */
  at: number;
  messageId: string;
  channelId: string;
  /** Its words: content and embed text, mentions removed, at most 1000 characters. */
  text: string;
  /** Why it was kept: no rule matched, or it arrived in a quarantined channel, or belonged to no job. */
  reason: 'unclassified' | 'quarantined' | 'unowned';
  /** Number of attachments and embeds it carried. */
  attachments: number;
  embeds: number;
  /** The job it was seen for, if any. */
  jobid?: string;
}

/** The comparison of the commands a provider needs with Discord's live command index (issue 12 item 5). */
export interface CommandCheck {
  /** Epoch ms of the check. */
  checkedAt: number;
  ok: boolean;
  /** What differs, in plain words (empty when ok). */
  problems: string[];
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
  /** Default `replyUrl` for calls on this account that bring none; null or absent when unset. */
  replyUrl?: string | null;
  credits: Credits | null;
  health: AccountHealth;
  /** The last comparison with the live command index (null until checked). */
  commandCheck: CommandCheck | null;
  /** The channel is held back until then (epoch ms) after an interaction failure or timeout. */
  quarantineUntil: number | null;
  /** Recent bot messages in this account's channel that no rule understood, oldest first. */
  botMessages: BotMessageNote[];
  createdAt: number;
  updatedAt: number;
  /** Ciphertext of the outbound proxy URL (credentials included); null or absent for none. */
  proxy?: string | null;
  /** What the bot last said about the account's state (null or absent until it has). */
  reportedStatus?: ReportedAccountStatus | null;
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
  /** Default `replyUrl` (configured accounts only); absent = none. */
  replyUrl?: string | null;
  /** Ciphertext of the outbound proxy URL; null or absent: none. */
  proxy?: string | null;
  now: number;
}

/** Raised when a write would break a uniqueness rule; `field` names the rule. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
  constructor(readonly field: 'discord' | 'server' | 'channel' | 'name' | 'jobid' | 'once', options?: ErrorOptions) {
    super(`unique constraint on ${field}`, options);
  }
}

export interface TenantStore {
  create(tenant: NewTenant): Promise<TenantRecord>;
  /** The tenant that owns this token hash (with the stored hash), unless revoked. */
  findByTokenHash(tokenHash: string): Promise<TenantWithHash | undefined>;
  list(): Promise<TenantRecord[]>;
  /** Revokes every live tenant whose id or name equals `idOrName`; returns the ones revoked. */
  revoke(idOrName: string, at: number): Promise<TenantRecord[]>;
  countActive(): Promise<number>;
  /** The tenant's sealed webhook secret, created with `create()` on first use (race-safe). */
  webhookSecret(tenantId: string, create: () => string): Promise<string>;
  /** Where the tenant's account health events go; null when none is set. */
  alertUrl(tenantId: string): Promise<string | null>;
  setAlertUrl(tenantId: string, url: string | null): Promise<void>;
}

export interface AccountStore {
  /** The tenant's configured (listed) accounts for a bot. */
  list(tenantId: string, bot: string): Promise<AccountRecord[]>;
  /**
   * The account row for a channel a call brought itself: created unlisted if missing, its token
   * and maxJobs refreshed if it is unlisted. A configured row is returned untouched.
   */
  ensureUnlisted(input: AccountInput): Promise<AccountRecord>;
  /** Every account row (any tenant, any bot) holding the token with this fingerprint. */
  withFingerprint(fingerprint: string): Promise<AccountRecord[]>;
  /** The tenant's unlisted (bring-your-own) rows for a bot. */
  listUnlisted(tenantId: string, bot: string): Promise<AccountRecord[]>;
  /** Deletes unlisted rows not used since `before` and with no job waiting or running; returns their ids. */
  purgeUnusedUnlisted(before: number): Promise<string[]>;
  /** Accounts (listed or not) the tenant holds, for the per-tenant cap. */
  countForTenant(tenantId: string): Promise<number>;
  /** Every account of every tenant (background loops: health re-probes, runners). */
  listAll(): Promise<AccountRecord[]>;
  getById(accountId: string): Promise<AccountRecord | undefined>;
  get(tenantId: string, bot: string, channel: string): Promise<AccountRecord | undefined>;
  /** Creates or replaces the (listed) account for (tenant, bot, channel). Throws {@link UniqueViolation}. */
  upsert(input: AccountInput): Promise<AccountRecord>;
  delete(tenantId: string, bot: string, channel: string): Promise<boolean>;
  setCredits(accountId: string, credits: Credits | null, now: number): Promise<void>;
  setReportedStatus(accountId: string, status: ReportedAccountStatus | null, now: number): Promise<void>;
  setCommandCheck(accountId: string, check: CommandCheck | null, now: number): Promise<void>;
  setQuarantine(accountId: string, until: number | null, now: number): Promise<void>;
  /** Appends a note to the account's recent bot messages, keeping the newest `keep`. */
  noteBotMessage(accountId: string, note: BotMessageNote, keep: number): Promise<void>;
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

/** One sealed value as stored, and where. */
export interface SealedCell {
  table: string;
  column: string;
  id: string;
  sealed: string;
}

/** The value sealed again under a new key; a Discord token also gets its new fingerprint. */
export interface SealedValue {
  sealed: string;
  fingerprint?: string;
}

export type SealedRewrite = (cell: SealedCell) => SealedValue;

/** Re-seals every secret at rest in one transaction (key rotation, key-derivation upgrades). */
export interface SealedStore {
  /**
   * Runs only if the stored key check still equals `expectedKeyCheck`; rewrites every sealed value
   * and sets `meta` (including the new `secret_key_check`). False when another process changed the key first.
   */
  rewrite(expectedKeyCheck: string, reseal: SealedRewrite, meta: Record<string, string>): Promise<boolean>;
}

export interface Store {
  readonly sealed: SealedStore;
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
