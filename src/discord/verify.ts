import { DiscordApiError } from './errors.ts';
import { ClientIdentity, type ClientProfile } from './client-properties.ts';
import { RestClient, type FetchLike } from './rest/client.ts';
import type { DiscordChannel, DiscordUser } from './types.ts';

export type VerifyFailureReason =
  | 'token_rejected' // 401: Discord does not accept the token
  | 'unknown_channel' // 404 10003, or the channel is not in the given guild
  | 'no_access' // 403 50001/50013: the account cannot see the channel
  | 'needs_human' // captcha / verification / anti-abuse: a person has to act on the account
  | 'rate_limited'
  | 'network_failure'; // no answer or 5xx: save as unreachable and retry later

/** A command of the channel's command index, as far as verification looks at it. */
export interface IndexedCommand {
  name: string;
  application_id: string;
}

export type VerifyAccountResult =
  | { ok: true; user: DiscordUser; channel: DiscordChannel; commands?: IndexedCommand[] }
  | { ok: false; reason: VerifyFailureReason; message: string; error?: DiscordApiError };

export interface VerifyAccountOptions {
  token: string;
  channelId: string;
  guildId?: string;
  apiUrl: string;
  /** The account's transport (its proxy): verification goes the way the account's traffic will. */
  fetch?: FetchLike;
  /** The browser the account will pass as: verification presents the same one. */
  profile?: Partial<ClientProfile>;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Also read the channel's application-command index (what the bots there offer). */
  commandIndex?: boolean;
}

/**
 * Account verification on save: `GET /users/@me` checks the token, `GET /channels/{id}` checks
 * that the account can see the channel (and, given a guild, that the channel belongs to it).
 * Never throws for Discord's answers; the message never contains the token.
 */
/**
 * A REST client for one-off checks with a token that is not (yet) an account's: no pacing, short
 * waits and few retries, so a save or `doctor` answers quickly; the account's transport and profile.
 */
export function checkClient(options: Pick<VerifyAccountOptions, 'token' | 'apiUrl' | 'fetch' | 'profile' | 'timeoutMs'>): RestClient {
  return new RestClient({
    token: options.token,
    apiUrl: options.apiUrl,
    fetch: options.fetch,
    identity: new ClientIdentity(options.profile),
    minIntervalMs: 0,
    maxRateLimitWaitMs: 5_000,
    serverErrorRetries: 1,
    networkRetries: 1,
    retryBaseMs: 250,
    requestTimeoutMs: options.timeoutMs ?? 10_000,
  });
}

export async function verifyAccount(options: VerifyAccountOptions): Promise<VerifyAccountResult> {
  const rest = checkClient(options);
  let user: DiscordUser;
  try {
    user = await rest.get<DiscordUser>('/users/@me');
  } catch (error) {
    return failure(error, 'token');
  }
  let channel: DiscordChannel;
  try {
    channel = await rest.get<DiscordChannel>(`/channels/${options.channelId}`);
  } catch (error) {
    return failure(error, 'channel');
  }
  if (options.guildId && channel.guild_id !== options.guildId) {
    return { ok: false, reason: 'unknown_channel', message: `channel ${options.channelId} is not in guild ${options.guildId}` };
  }
  if (!options.commandIndex) return { ok: true, user, channel };
  let commands: IndexedCommand[];
  try {
    const path = channel.guild_id ? `/guilds/${channel.guild_id}/application-command-index` : `/channels/${options.channelId}/application-command-index`;
    const index = await rest.get<{ application_commands?: IndexedCommand[] }>(path);
    commands = (index.application_commands ?? []).map((c) => ({ name: c.name, application_id: c.application_id }));
  } catch (error) {
    return failure(error, 'channel');
  }
  return { ok: true, user, channel, commands };
}

function failure(error: unknown, step: 'token' | 'channel'): VerifyAccountResult {
  if (!(error instanceof DiscordApiError)) throw error;
  const base = { ok: false as const, error, message: error.message };
  switch (error.kind) {
    case 'unauthorized':
      return { ...base, reason: 'token_rejected', message: 'Discord rejected the token (401 Unauthorized)' };
    case 'captcha':
    case 'verification_required':
    case 'anti_abuse':
      return { ...base, reason: 'needs_human' };
    case 'unknown_channel':
    case 'not_found':
      return { ...base, reason: step === 'channel' ? 'unknown_channel' : 'token_rejected' };
    case 'missing_access':
    case 'missing_permissions':
      return { ...base, reason: 'no_access' };
    case 'rate_limited':
      return { ...base, reason: 'rate_limited' };
    case 'network':
    case 'server_error':
    case 'cloudflare_blocked':
      return { ...base, reason: 'network_failure' };
    default:
      return { ...base, reason: step === 'channel' ? 'unknown_channel' : 'token_rejected' };
  }
}
