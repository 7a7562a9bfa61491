/**
 * Account selection: which accounts a call may use, in the order to try them. The job service
 * asks {@link AccountSelector.select} and then claims a slot on the first account that has one.
 *
 * - pinned: the call names its channel (or presses a button of a parent job): that account only;
 * - bring-your-own: the call brings `discord` + `channel` (providers with
 *   `bringYourOwnAccount`): the channel's unlisted account, holding exactly that token;
 * - random: any eligible configured account, in random order (spreading work);
 * - shortest queue: when every slot is taken, {@link AccountSelector.byQueueLength} orders the
 *   same accounts by how many jobs already wait in each.
 *
 * Whether an account may take work is decided by ONE function, {@link ineligibility}: a healthy
 * account (health `active`) whose channel is not held back (quarantine after the bot failed to
 * answer), plus the provider's own rule (`Provider.eligible`, e.g. faceswap's credits).
 */
import crypto from 'node:crypto';
import { ApiError, badRequest } from '../errors/index.ts';
import type { Provider, ProviderCommand } from '../providers/index.ts';
import { invalidId, isSnowflake } from '../providers/shared/account-fields.ts';
import type { SecretBox } from '../secrets/index.ts';
import { HEALTH_STATES, UniqueViolation, type AccountRecord, type JobRecord, type Store, type TenantRecord } from '../store/index.ts';

export interface SelectionRequest {
  tenant: TenantRecord;
  provider: Provider;
  command: ProviderCommand;
  /** The call's `channel` field, if any. */
  channel?: string;
  /** The call's own Discord token (bring-your-own providers only). */
  discord?: string;
  /** The job a `parent`-selection command (a button press) works on. */
  parent?: JobRecord;
  /** The call's `maxJobs` (bring-your-own): stored with the unlisted account. */
  maxJobs?: number;
}

export interface AccountSelectorOptions {
  store: Store;
  secrets: SecretBox;
  now?: () => number;
  /** A bring-your-own call changed its channel's token: clients and caches must follow. */
  onAccountChanged?: (account: AccountRecord) => void;
  /** Issue 15: refuses a bring-your-own token another tenant holds (409) or one over the account cap. */
  checkOwnership?: (claim: { tenantId: string; bot: string; channel: string; fingerprint: string }) => Promise<void>;
}

/** Why an account cannot take work: the call's error when it is the only account, and a short reason for lists. */
export interface Refusal {
  status: 429 | 596;
  /** The error of a call that could only use this account. */
  error: string;
  /** Short, for "no account is available" lists. */
  reason: string;
  detail?: string;
  /** When the account may work again (epoch ms), if known: the answer's `Retry-After`. */
  retryAt?: number;
}

/**
 * Why the account cannot take work now, or undefined when it can: the one eligibility rule.
 * Shared part: the account is healthy. Provider part: `provider.eligible` (no credit model or
 * reset time is assumed here).
 */
export function ineligibility(account: AccountRecord, provider: Provider, now: number): Refusal | undefined {
  const { state, reason, detail, until } = account.health;
  const channel = account.channel;
  if (state !== 'active') {
    const why = [reason, detail].filter(Boolean).join(': ') || undefined;
    switch (state) {
      case 'auth_failed':
        return { status: 596, error: `Discord rejected the token of channel ${channel}; update it with POST ${provider.name}/account/${channel}`, reason: state, ...(why ? { detail: why } : {}) };
      case 'needs_human':
        return { status: 596, error: `The Discord account of channel ${channel} needs attention (${reason}) before it can be used`, reason: state, ...(why ? { detail: why } : {}) };
      default: {
        const more = until ? `${why ?? state}; until ${new Date(until).toISOString()}` : why;
        // Retry-After: the end of a cooling period, else the next health probe.
        const retryAt = until ?? account.health.nextProbeAt ?? undefined;
        return { status: 429, error: `The Discord account of channel ${channel} is ${state.replace('_', ' ')}; retry later`, reason: state, ...(more ? { detail: more } : {}), ...(retryAt !== undefined ? { retryAt } : {}) };
      }
    }
  }
  // A channel held back after the bot failed to answer takes no command until its quarantine
  // ends: a late answer must not be taken for a new command (issue 12).
  if (account.quarantineUntil !== null && account.quarantineUntil > now) {
    return {
      status: 429,
      error: `Channel ${channel} is held back until ${new Date(account.quarantineUntil).toISOString()}: the bot did not answer its last command in time`,
      reason: 'held back after the bot failed to answer',
      detail: 'a late answer to that command must not be taken for a new one (SWITCHBOARD_QUARANTINE)',
    };
  }
  const own = provider.eligible?.(account, now);
  return own ? { status: 429, error: `Channel ${channel} ${own.reason}`, reason: own.reason, ...(own.detail ? { detail: own.detail } : {}) } : undefined;
}

/** The earliest known time, if any. */
function soonest(times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export class AccountSelector {
  readonly #o: AccountSelectorOptions & { now: () => number };

  constructor(options: AccountSelectorOptions) {
    this.#o = { now: Date.now, ...options };
  }

  /** The eligible accounts the call may use, in the order to try them for a free slot. Throws ApiError when there are none. */
  async select(req: SelectionRequest): Promise<AccountRecord[]> {
    const { tenant, provider, command, parent } = req;
    const channel = parent?.channel ?? (req.channel?.trim() || undefined);
    const discord = provider.bringYourOwnAccount ? req.discord?.trim() || undefined : undefined;
    if (discord !== undefined) return [await this.#ownAccount(req, channel, discord)];

    const accounts = await this.#o.store.accounts.list(tenant.id, provider.name);
    if (channel !== undefined) {
      const account = accounts.find((a) => a.channel === channel) ?? (parent?.accountId ? await this.#o.store.accounts.getById(parent.accountId) : undefined);
      if (!account) {
        if (accounts.length === 0 && !provider.bringYourOwnAccount) throw new ApiError(404, `Configuration not found. To create configuration use ${provider.name}/account/channel.`);
        throw new ApiError(404, `Channel ${channel} is not configured. To create configuration use ${provider.name}/account/${channel}.`);
      }
      return [this.#usable(account, provider)];
    }
    if (accounts.length === 0) {
      throw provider.bringYourOwnAccount
        ? badRequest('Required param discord is missing or empty', `no ${provider.name} account is configured: configure one with ${provider.name}/account/channel, or pass discord and channel`)
        : new ApiError(404, `Configuration not found. To create configuration use ${provider.name}/account/channel.`);
    }
    if (command.selection === 'pinned' && accounts.length > 1) {
      throw new ApiError(400, 'Required param channel is missing or empty', `${accounts.length} ${provider.name} accounts are configured; ${command.name} works on one account's saved identities, so name its channel`);
    }
    if (accounts.length === 1) return [this.#usable(accounts[0]!, provider)];
    const now = this.#o.now();
    const verdicts = accounts.map((account) => ({ account, why: ineligibility(account, provider, now) }));
    const eligible = verdicts.filter((v) => !v.why).map((v) => v.account);
    if (eligible.length === 0) {
      const reasons = [...new Set(verdicts.map((v) => v.why!.reason))];
      throw new ApiError(429, reasons.length === 1 && !(HEALTH_STATES as readonly string[]).includes(reasons[0]!) ? `No configured account is available right now: every one ${reasons[0]}` : 'No configured account is available right now', verdicts.map((v) => `${v.account.channel}: ${v.why!.reason}`).join(', ')).retryAt(soonest(verdicts.map((v) => v.why!.retryAt)));
    }
    return shuffle(eligible);
  }

  /** The same accounts ordered for a queue place: shortest queue first, so no account's backlog outlasts the others'. */
  async byQueueLength(accounts: AccountRecord[]): Promise<AccountRecord[]> {
    if (accounts.length < 2) return accounts;
    const queued = await this.#o.store.jobs.queuedCounts(accounts.map((a) => a.id));
    return [...accounts].sort((a, b) => (queued.get(a.id) ?? 0) - (queued.get(b.id) ?? 0));
  }

  #usable(account: AccountRecord, provider: Provider): AccountRecord {
    const why = ineligibility(account, provider, this.#o.now());
    if (why) throw new ApiError(why.status, why.error, why.detail).retryAt(why.retryAt);
    return account;
  }

  /**
   * A channel the call brought itself (`discord` + `channel`), tracked as an unlisted account
   * that holds exactly the call's token: a different token replaces the stored one (and starts
   * the account's health afresh), unless jobs sent with the stored one are still running.
   */
  async #ownAccount(req: SelectionRequest, channel: string | undefined, discord: string): Promise<AccountRecord> {
    const { tenant, provider } = req;
    if (channel === undefined) throw badRequest('Required param channel is missing or empty', 'a call that brings its own discord token must name its channel');
    if (!isSnowflake(channel)) throw badRequest(invalidId(channel));
    const fingerprint = this.#o.secrets.fingerprint(discord);
    await this.#o.checkOwnership?.({ tenantId: tenant.id, bot: provider.name, channel, fingerprint });
    const existing = await this.#o.store.accounts.get(tenant.id, provider.name, channel);
    if (existing && existing.discordFingerprint !== fingerprint) {
      if (existing.listed) {
        throw badRequest(`Channel ${channel} is configured with another discord token`, `omit discord to use the configured account, or update it with POST ${provider.name}/account/${channel}`);
      }
      const busy = await this.#o.store.jobs.listActiveForAccounts([existing.id]);
      if (busy.length > 0) {
        throw new ApiError(409, `Channel ${channel} is running jobs with another discord token; retry once they have ended`, `executing: ${busy.map((j) => j.jobid).join(', ')}`);
      }
    }
    const now = this.#o.now();
    let account: AccountRecord;
    try {
      account = await this.#o.store.accounts.ensureUnlisted({
        id: `acc_${crypto.randomBytes(8).toString('hex')}`,
        tenantId: tenant.id,
        bot: provider.name,
        channel,
        server: null,
        discordToken: this.#o.secrets.encrypt(discord),
        discordFingerprint: fingerprint,
        maxJobs: req.maxJobs ?? null,
        now,
      });
    } catch (error) {
      if (error instanceof UniqueViolation && error.field === 'discord') throw badRequest(`Another ${provider.name} channel is configured with the same discord value`);
      throw error;
    }
    if (account.discordFingerprint !== fingerprint) {
      // Only a configured (listed) row keeps its token; or a concurrent call won the race.
      throw badRequest(`Channel ${channel} is configured with another discord token`, `omit discord to use the configured account, or update it with POST ${provider.name}/account/${channel}`);
    }
    if (existing && existing.discordFingerprint !== fingerprint) {
      // A new token starts afresh: the old token's health says nothing about it.
      const health = { state: 'active' as const, reason: 'token_changed', detail: null, failures: 0, since: now, until: null, nextProbeAt: null };
      await this.#o.store.accounts.setHealth(account.id, health, now);
      account = { ...account, health };
      this.#o.onAccountChanged?.(account);
    }
    return this.#usable(account, provider);
  }
}
