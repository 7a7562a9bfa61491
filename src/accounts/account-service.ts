/**
 * The account API's logic, shared by both bots: validation through the provider's schema,
 * useapi's duplicate rules, encryption of the Discord token, and rendering in useapi's shape.
 */
import crypto from 'node:crypto';
import { ApiError, badRequest } from '../errors/index.ts';
import { DiscordApiError, parseProxyUrl, redactProxy, type VerifyAccountResult } from '../discord/index.ts';
import type { AccountFields, AccountRest, Provider } from '../providers/index.ts';
import { toStoredHealth } from './account-pool.ts';
import { checkOwnership, conflictAfterViolation } from './ownership.ts';
import { healthAfterVerification, healthPolicyDefaults, type AccountHealth, type HealthPolicy } from './health.ts';
import type { SecretBox } from '../secrets/index.ts';
import { UniqueViolation, type AccountRecord, type CommandCheck, type Store } from '../store/index.ts';
import { checkReplyUrl } from '../webhooks/target-policy.ts';
import { botMissing, toCommandCheck, type CommandCheckOutcome } from './command-check.ts';

/** Checks a token and channel against Discord (`verifyAccount`), bound to the configured API URL. */
export type AccountVerifier = (input: { token: string; channelId: string; guildId?: string; proxy?: string; commandIndex?: boolean }) => Promise<VerifyAccountResult>;

/**
 * Runs `use` with a Discord REST client for a token that is not (yet) an account's, presenting the
 * identity and going through the transport (proxy) the account's own traffic will use.
 */
export type DiscordCheckClient = <T>(input: { token: string; proxy?: string }, use: (rest: AccountRest) => Promise<T>) => Promise<T>;

export interface AccountServiceOptions {
  /** Discord calls made for a save that names no channel (a provider's `discoverChannel`). */
  discord?: DiscordCheckClient;
  /** When given, every save is checked against Discord first (issue: verification on save). */
  verify?: AccountVerifier;
  /**
   * When given (with `verify`), a save also compares the bot's commands with Discord's live
   * command index: a bot that is not there is a 400, other differences are kept on the account.
   */
  checkCommands?: (provider: Provider, input: { token: string; channelId: string; guildId?: string; proxy?: string }) => Promise<CommandCheckOutcome>;
  /** Called after a save or delete, so live clients and health tracking follow the change. */
  onChange?: (change: { kind: 'saved'; account: AccountRecord } | { kind: 'deleted'; accountId: string }) => void;
  /** SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: an account's default replyUrl follows the replyUrl rules. */
  allowPrivateCallbacks?: boolean;
  /** The health policy the re-prober uses, so a saved account's first re-probe follows it. */
  healthPolicy?: Partial<HealthPolicy>;
  /** Accounts (listed and bring-your-own) a tenant may hold; unlimited when absent. */
  maxAccountsPerTenant?: number;
  /** Called before a save reaches Discord (verification): the stricter per-token budget. */
  beforeDiscordCall?: (tenantId: string) => void;
  /** Told when Discord rejected a token being verified (the server-wide auth-failure ceiling). */
  onDiscordAuthFailure?: () => void;
  now?: () => number;
}

/** Shown for bring-your-own rows: enough to recognise a token, never enough to use it (as useapi masks). */
function maskToken(token: string): string {
  return token.length <= 8 ? '<…secured…>' : `<${token.slice(0, 3)}…secured…${token.slice(-3)}>`;
}

export class AccountService {
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly options: AccountServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Every account of the tenant for this bot, keyed by channel; empty when none is configured. */
  async list(tenantId: string, provider: Provider): Promise<Record<string, unknown>> {
    const accounts = await this.store.accounts.list(tenantId, provider.name);
    return Object.fromEntries(accounts.map((a) => [a.channel, this.render(provider, a)]));
  }

  async get(tenantId: string, provider: Provider, channel: string): Promise<Record<string, unknown> | undefined> {
    const account = await this.store.accounts.get(tenantId, provider.name, channel);
    // Channels that calls brought themselves (unlisted) are not configuration.
    return account?.listed ? this.render(provider, account) : undefined;
  }

  /**
   * Creates or updates the account whose channel the provider finds from the token alone (its
   * `discoverChannel`, through the account's own client identity and proxy), then saves it as
   * `save` with that channel would. `created`: there was no configured account on that channel.
   * Discord's refusals and failures are 4xx, never 5xx.
   */
  async saveDiscovered(tenantId: string, provider: Provider, body: unknown): Promise<{ account: AccountRecord; created: boolean }> {
    const object = requireObject(body);
    const parsed = provider.account.parse(object, '');
    if (!parsed.ok) throw badRequest(parsed.error);
    const discover = provider.account.discoverChannel;
    if (!discover || !this.options.discord) throw badRequest(`Required param channel is missing or empty`, `this server cannot find the ${provider.title ?? provider.name} channel from the token: name the channel in the path`);
    const proxy = parseProxyField(object.proxy);
    this.options.beforeDiscordCall?.(tenantId);
    let found: Awaited<ReturnType<typeof discover>>;
    try {
      found = await this.options.discord({ token: parsed.value.discord, ...(proxy ? { proxy } : {}) }, (rest) => discover(rest));
    } catch (error) {
      throw this.discoveryError(error, provider, proxy);
    }
    if (!found.ok) throw new ApiError(found.status ?? 400, found.error, found.details);
    const channel = found.value;
    if (parsed.value.channel && parsed.value.channel !== channel) {
      throw badRequest(`Required param channel (${parsed.value.channel}) is not the channel found for this discord token (${channel})`);
    }
    const existed = (await this.store.accounts.get(tenantId, provider.name, channel))?.listed === true;
    const account = await this.saveFields(tenantId, provider, channel, { ...object, channel, maxJobs: parsed.value.maxJobs ?? undefined }, true);
    return { account, created: !existed };
  }

  /** Discord's answer to a discovery as a 4xx in the useapi envelope (the token never appears). */
  private discoveryError(error: unknown, provider: Provider, proxy: string | undefined): ApiError {
    if (!(error instanceof DiscordApiError)) return badRequest(`Could not find the ${provider.title ?? provider.name} channel for this discord token`, error instanceof Error ? error.message : String(error));
    const via = proxy ? ` through proxy ${redactProxy(proxy)}` : '';
    switch (error.kind) {
      case 'unauthorized':
        this.options.onDiscordAuthFailure?.();
        return badRequest('Discord rejected the discord token (401 Unauthorized)', 'the token is wrong, revoked, or belongs to a deleted account');
      case 'captcha':
      case 'verification_required':
      case 'anti_abuse':
        return badRequest('Discord asks for a human check on this account (log in to Discord with it and follow what it asks)', error.message);
      case 'rate_limited':
        return new ApiError(429, 'Discord rate limit detected for this account. Please wait and retry again.', error.message);
      case 'network':
      case 'server_error':
      case 'cloudflare_blocked':
      case 'unexpected':
        // No answer from Discord (or its outage): nothing about the account is known, so nothing is saved.
        return badRequest(`Could not reach Discord${via} to find the ${provider.title ?? provider.name} channel; nothing was saved, retry later`, error.message);
      default:
        return badRequest(`Discord refused to find the ${provider.title ?? provider.name} channel for this discord token (${error.status}${error.code ? ` code ${error.code}` : ''})`, error.message);
    }
  }

  /** Creates or updates the account for `pathChannel`; throws a 400 ApiError with useapi's text. */
  async save(tenantId: string, provider: Provider, pathChannel: string, body: unknown): Promise<AccountRecord> {
    return this.saveFields(tenantId, provider, pathChannel, requireObject(body), false);
  }

  /** `budgetSpent`: the call already counted against the per-token Discord budget (discovery). */
  private async saveFields(tenantId: string, provider: Provider, pathChannel: string, body: Record<string, unknown>, budgetSpent: boolean): Promise<AccountRecord> {
    const parsed = provider.account.parse(body, pathChannel);
    if (!parsed.ok) throw badRequest(parsed.error);
    const fields = parsed.value;
    const replyUrl = this.defaultReplyUrl(body);
    const proxy = parseProxyField(body.proxy);
    const fingerprint = this.secrets.fingerprint(fields.discord);

    const others = (await this.store.accounts.list(tenantId, provider.name)).filter((a) => a.channel !== fields.channel);
    this.rejectDuplicates(others, fingerprint, fields.server);
    const claim = { tenantId, bot: provider.name, channel: fields.channel, fingerprint };
    await checkOwnership(this.store, claim, this.options.maxAccountsPerTenant);
    if (this.options.verify && !budgetSpent) this.options.beforeDiscordCall?.(tenantId);
    const health = await this.verify(provider, fields, proxy);
    // Only a channel Discord just showed us is worth comparing; otherwise the re-prober comes back.
    const commands = this.options.verify && health?.state === 'active' && this.options.checkCommands ? await this.checkCommands(provider, fields, proxy) : undefined;
    let saved: AccountRecord;
    try {
      saved = await this.store.accounts.upsert({
        id: `acc_${crypto.randomBytes(8).toString('hex')}`,
        tenantId,
        bot: provider.name,
        channel: fields.channel,
        server: fields.server,
        discordToken: this.secrets.encrypt(fields.discord),
        discordFingerprint: fingerprint,
        maxJobs: fields.maxJobs,
        replyUrl,
        proxy: proxy === undefined ? null : this.secrets.encrypt(proxy),
        now: this.now(),
      });
    } catch (error) {
      // A concurrent save won the race between our check and our write: report it the same way.
      if (!(error instanceof UniqueViolation)) throw error;
      const conflict = error.field === 'discord' ? await conflictAfterViolation(this.store, claim) : undefined;
      if (conflict) throw conflict;
      const current = (await this.store.accounts.list(tenantId, provider.name)).filter((a) => a.channel !== fields.channel);
      this.rejectDuplicates(current, fingerprint, fields.server);
      // The clash is with a channel a call brought itself (not listed): say so without naming it.
      throw badRequest(`Another ${provider.name} channel uses the same ${error.field === 'server' ? 'server' : 'discord'} value`);
    }
    if (health) {
      await this.store.accounts.setHealth(saved.id, toStoredHealth(health), this.now());
      saved = { ...saved, health: toStoredHealth(health) };
    }
    if (commands) {
      await this.store.accounts.setCommandCheck(saved.id, commands, this.now());
      saved = { ...saved, commandCheck: commands };
    }
    this.options.onChange?.({ kind: 'saved', account: saved });
    return saved;
  }

  /**
   * Asks Discord whether the token and channel work. A rejection is a 400; a network failure or
   * a rate limit still saves the account, in a health state the re-prober will clear.
   */
  private async verify(provider: Provider, fields: AccountFields, proxy: string | undefined): Promise<AccountHealth | undefined> {
    if (!this.options.verify) return undefined;
    const check = provider.account.verify;
    const result = await this.options.verify({
      token: fields.discord,
      channelId: fields.channel,
      ...(provider.location === 'guild' && fields.server ? { guildId: fields.server } : {}),
      ...(proxy ? { proxy } : {}),
      ...(check ? { commandIndex: true } : {}),
    });
    // The provider's own rule on what Discord showed (e.g. the channel is the DM with its bot, whose commands are there).
    const problem = result.ok && check ? check({ channel: result.channel, commands: result.commands ?? [] }) : undefined;
    if (problem) throw badRequest(problem);
    const health = healthAfterVerification(result, this.now(), { ...healthPolicyDefaults, ...this.options.healthPolicy });
    if (health || result.ok) return health;
    switch (result.reason) {
      case 'token_rejected':
        this.options.onDiscordAuthFailure?.();
        throw badRequest('Discord rejected the discord token (401 Unauthorized)', 'the token is wrong, revoked, or belongs to a deleted account');
      case 'unknown_channel':
        throw badRequest(`Discord does not know channel ${fields.channel}${fields.server ? ` in server ${fields.server}` : ''}`, result.message);
      default:
        throw badRequest(`The Discord account cannot use channel ${fields.channel}`, result.message);
    }
  }

  /** Compares the bot's commands with the live index; a bot that is not there refuses the save. */
  private async checkCommands(provider: Provider, fields: AccountFields, proxy: string | undefined): Promise<CommandCheck | undefined> {
    const outcome = await this.options.checkCommands!(provider, { token: fields.discord, channelId: fields.channel, ...(provider.location === 'guild' && fields.server ? { guildId: fields.server } : {}), ...(proxy ? { proxy } : {}) });
    if (!outcome.ok) return undefined;
    if (!outcome.comparison.botPresent) {
      const where = provider.location === 'guild' ? `server ${fields.server}` : `DM channel ${fields.channel}`;
      throw badRequest(botMissing(provider, fields.channel, fields.server), `no ${(provider.title ?? provider.name)} commands in the application-command-index of ${where}`);
    }
    return toCommandCheck(outcome.comparison, provider, fields.channel, fields.server, this.now());
  }

  async delete(tenantId: string, provider: Provider, channel: string): Promise<boolean> {
    const account = await this.store.accounts.get(tenantId, provider.name, channel);
    if (!account?.listed || !(await this.store.accounts.delete(tenantId, provider.name, channel))) return false;
    this.options.onChange?.({ kind: 'deleted', accountId: account.id });
    return true;
  }

  /** The optional `replyUrl` of an account body (switchboard's addition): checked like a call's. */
  private defaultReplyUrl(body: unknown): string | null {
    const raw = (body as { replyUrl?: unknown } | null | undefined)?.replyUrl;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
    if (typeof raw !== 'string') throw badRequest('replyUrl must be a string');
    const problem = checkReplyUrl(raw.trim(), this.options.allowPrivateCallbacks ?? false);
    if (problem) throw badRequest(problem);
    return raw.trim();
  }

  /** The tenant's bring-your-own rows for a bot, keyed by channel, tokens masked. */
  async listHidden(tenantId: string, provider: Provider): Promise<Record<string, unknown>> {
    const rows = await this.store.accounts.listUnlisted(tenantId, provider.name);
    return Object.fromEntries(
      rows.map((a) => [
        a.channel,
        { channel: a.channel, discord: maskToken(this.secrets.decrypt(a.discordToken)), ...(a.maxJobs !== null ? { maxJobs: a.maxJobs } : {}), health: a.health.state, lastUsed: new Date(a.updatedAt).toISOString() },
      ]),
    );
  }

  /** Deletes one bring-your-own row; false when the tenant has none for that channel. */
  async deleteHidden(tenantId: string, provider: Provider, channel: string): Promise<boolean> {
    const account = await this.store.accounts.get(tenantId, provider.name, channel);
    if (!account || account.listed || !(await this.store.accounts.delete(tenantId, provider.name, channel))) return false;
    this.options.onChange?.({ kind: 'deleted', accountId: account.id });
    return true;
  }

  /** Forgets bring-your-own rows unused for `maxAgeMs` (no job waiting or running on them). */
  async purgeUnusedHidden(maxAgeMs: number): Promise<number> {
    const ids = await this.store.accounts.purgeUnusedUnlisted(this.now() - maxAgeMs);
    for (const accountId of ids) this.options.onChange?.({ kind: 'deleted', accountId });
    return ids.length;
  }

  private rejectDuplicates(others: AccountRecord[], fingerprint: string, server: string | null): void {
    const sameToken = others.find((a) => a.discordFingerprint === fingerprint);
    if (sameToken) throw badRequest(`Channel ${sameToken.channel} configuration has same discord value`);
    const sameServer = server === null ? undefined : others.find((a) => a.server === server);
    if (sameServer) throw badRequest(`Channel ${sameServer.channel} configuration has same server value`);
  }

  private render(provider: Provider, account: AccountRecord): Record<string, unknown> {
    const rendered = provider.account.render(account, this.secrets.decrypt(account.discordToken));
    // Additive: what differs between the bot's commands and what switchboard sends (issue 12), the
    // default replyUrl, and the proxy with its password masked (credentials are never shown back in full).
    return {
      ...rendered,
      ...(account.commandCheck ? { commandCheck: account.commandCheck } : {}),
      ...(account.replyUrl ? { replyUrl: account.replyUrl } : {}),
      ...(account.proxy ? { proxy: redactProxy(this.secrets.decrypt(account.proxy)) } : {}),
    };
  }
}

/** An account body: a JSON object, or nothing at all (then every required field is missing). */
function requireObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The optional `proxy` field of an account body (switchboard's addition to useapi's shape): an
 * `http://`, `https://`, `socks5://` or `socks5h://` URL, credentials allowed. Absent, null or empty:
 * no proxy of its own (the configured default applies). The error never repeats the value.
 */
function parseProxyField(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = parseProxyUrl(value);
  if (!parsed.ok) throw badRequest(`Optional param proxy is not valid: ${parsed.error}`);
  return parsed.url.toString();
}
