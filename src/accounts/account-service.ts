/**
 * The account API's logic, shared by both bots: validation through the provider's schema,
 * useapi's duplicate rules, encryption of the Discord token, and rendering in useapi's shape.
 */
import crypto from 'node:crypto';
import { badRequest } from '../errors/index.ts';
import type { Provider } from '../providers/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { UniqueViolation, type AccountRecord, type Store } from '../store/index.ts';

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** Creates or updates the account for `pathChannel`; throws a 400 ApiError with useapi's text. */
  async save(tenantId: string, provider: Provider, pathChannel: string, body: unknown): Promise<AccountRecord> {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw badRequest('Request body must be a JSON object');
    }
    const parsed = provider.account.parse((body ?? {}) as Record<string, unknown>, pathChannel);
    if (!parsed.ok) throw badRequest(parsed.error);
    const fields = parsed.value;
    const fingerprint = this.secrets.fingerprint(fields.discord);

    const others = (await this.store.accounts.list(tenantId, provider.name)).filter((a) => a.channel !== fields.channel);
    this.rejectDuplicates(others, fingerprint, fields.server);
    try {
      return await this.store.accounts.upsert({
        id: `acc_${crypto.randomBytes(8).toString('hex')}`,
        tenantId,
        bot: provider.name,
        channel: fields.channel,
        server: fields.server,
        discordToken: this.secrets.encrypt(fields.discord),
        discordFingerprint: fingerprint,
        maxJobs: fields.maxJobs,
        now: this.now(),
      });
    } catch (error) {
      // A concurrent save won the race between our check and our write: report it the same way.
      if (!(error instanceof UniqueViolation)) throw error;
      const current = (await this.store.accounts.list(tenantId, provider.name)).filter((a) => a.channel !== fields.channel);
      this.rejectDuplicates(current, fingerprint, fields.server);
      // The clash is with a channel a call brought itself (not listed): say so without naming it.
      throw badRequest(`Another ${provider.name} channel uses the same ${error.field === 'server' ? 'server' : 'discord'} value`);
    }
  }

  async delete(tenantId: string, provider: Provider, channel: string): Promise<boolean> {
    const account = await this.store.accounts.get(tenantId, provider.name, channel);
    return account?.listed === true && this.store.accounts.delete(tenantId, provider.name, channel);
  }

  private rejectDuplicates(others: AccountRecord[], fingerprint: string, server: string | null): void {
    const sameToken = others.find((a) => a.discordFingerprint === fingerprint);
    if (sameToken) throw badRequest(`Channel ${sameToken.channel} configuration has same discord value`);
    const sameServer = server === null ? undefined : others.find((a) => a.server === server);
    if (sameServer) throw badRequest(`Channel ${sameServer.channel} configuration has same server value`);
  }

  private render(provider: Provider, account: AccountRecord): Record<string, unknown> {
    return provider.account.render(account, this.secrets.decrypt(account.discordToken));
  }
}
