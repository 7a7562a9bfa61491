/**
 * Midjourney accounts (useapi v2, midjourney.md A.3): a Discord token, the account's DM channel
 * with the Midjourney bot, an optional server, the plan's concurrency `maxJobs` (1–15) and an
 * optional per-account `replyUrl` (v3's addition, kept because operators ask for it). Messages are
 * useapi's own, its "more that" typo included, in the order its page lists them.
 */
import { DiscordApiError } from '../../discord/index.ts';
import type { AccountRecord } from '../../store/index.ts';
import type { AccountFields, AccountRest, Parsed, ProviderAccountSpec } from '../types.ts';
import { isMissing, isSnowflake, missing } from '../shared/account-fields.ts';
import { COMMAND_CHECK_SCHEMA } from '../shared/command-check-schema.ts';

/** Pro and Mega plans run 15 jobs at once; useapi caps maxJobs there. */
export const MAX_CONCURRENT_JOBS = 15;
/** useapi's default when an account or call names no maxJobs. */
export const DEFAULT_MAX_JOBS = 3;
export const REPLY_URL_LIMIT = 1024;

export interface MidjourneyAccountFields extends AccountFields {
  replyUrl: string | null;
}

const invalidServer = (value: unknown) => `Required param server (${String(value)}) is not valid Discord server id`;
const invalidChannel = (value: unknown) => `Required param channel (${String(value)}) is not valid Discord channel id`;
const notMatching = (channel: string, pathChannel: string) => `Required param channel (${channel}) not matching to /midjourney/channel (/midjourney/${pathChannel})`;

/** useapi's 400 when another account already uses the same token (the store's unique rule). */
export const sameDiscord = (channel: string) => `Channel ${channel} configuration has same discord value`;
export const sameServer = (channel: string) => `Channel ${channel} configuration has same server value`;

const snowflake = (value: unknown): string | undefined => (typeof value === 'string' && isSnowflake(value.trim()) ? value.trim() : undefined);

/** Reads maxJobs from JSON (number) or a form/query value (numeric string). */
export function parseMaxJobs(raw: unknown): Parsed<number> {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const value = Number(text);
  if (text === '' || !Number.isInteger(value) || value < 1) {
    return { ok: false, error: `Required param maxJobs (${String(raw)}) must be a whole number from 1 to ${MAX_CONCURRENT_JOBS}` };
  }
  if (value > MAX_CONCURRENT_JOBS) return { ok: false, error: `Required param maxJobs ${value} can't be more that ${MAX_CONCURRENT_JOBS}` };
  return { ok: true, value };
}

/**
 * Validates `POST /v2/account/midjourney/{channel}`. `pathChannel` is empty for
 * `POST /v2/account/midjourney` (channel discovered from the DM with the bot): then `channel` may
 * be left out and `maxJobs` defaults to 3, as useapi's August 2025 page says.
 */
export function parseMidjourneyAccount(body: Record<string, unknown>, pathChannel: string): Parsed<MidjourneyAccountFields> {
  if (isMissing(body.discord) || typeof body.discord !== 'string') return { ok: false, error: missing('discord') };
  let server: string | null = null;
  if (!isMissing(body.server)) {
    const value = snowflake(body.server);
    if (!value) return { ok: false, error: invalidServer(body.server) };
    server = value;
  }
  let channel = '';
  if (isMissing(body.channel)) {
    if (pathChannel !== '') return { ok: false, error: missing('channel') };
  } else {
    const value = snowflake(body.channel);
    if (!value) return { ok: false, error: invalidChannel(body.channel) };
    if (pathChannel !== '' && value !== pathChannel) return { ok: false, error: notMatching(value, pathChannel) };
    channel = value;
  }
  let maxJobs = DEFAULT_MAX_JOBS;
  if (isMissing(body.maxJobs)) {
    if (pathChannel !== '') return { ok: false, error: missing('maxJobs') };
  } else {
    const parsed = parseMaxJobs(body.maxJobs);
    if (!parsed.ok) return parsed;
    maxJobs = parsed.value;
  }
  let replyUrl: string | null = null;
  if (!isMissing(body.replyUrl)) {
    if (typeof body.replyUrl !== 'string') return { ok: false, error: 'replyUrl must be a string' };
    if (body.replyUrl.length > REPLY_URL_LIMIT) return { ok: false, error: 'replyUrl is too long' };
    if (!/^https?:\/\//i.test(body.replyUrl.trim())) return { ok: false, error: `replyUrl (${body.replyUrl}) must be an http or https URL` };
    replyUrl = body.replyUrl.trim();
  }
  return { ok: true, value: { discord: body.discord.trim(), server, channel, maxJobs, replyUrl } };
}

/**
 * The account in useapi's shape. `pendingModMessage` is the bot's notice that put the account
 * out of rotation (moderation message, CAPTCHA, "Action needed"), until `…/reset`.
 */
export function renderMidjourneyAccount(account: AccountRecord, discord: string, extra: { replyUrl?: string | null; mode?: string | null; fastTimeRemaining?: unknown } = {}): Record<string, unknown> {
  return {
    channel: account.channel,
    discord,
    ...(account.server !== null ? { server: account.server } : {}),
    maxJobs: account.maxJobs ?? DEFAULT_MAX_JOBS,
    ...(extra.replyUrl ? { replyUrl: extra.replyUrl } : {}),
    ...(pendingModMessage(account) !== undefined ? { pendingModMessage: pendingModMessage(account) } : {}),
    ...(extra.mode ? { mode: extra.mode } : {}),
    ...(extra.fastTimeRemaining ? { fastTimeRemaining: extra.fastTimeRemaining } : {}),
  };
}

/**
 * Health reasons that useapi reports as `pendingModMessage` (596): a Midjourney notice held the
 * account (`moderation_pending`, until `…/reset`), or Discord asked for a CAPTCHA.
 */
export const HUMAN_REASONS: readonly string[] = ['moderation_pending', 'captcha'];

export function pendingModMessage(account: AccountRecord): string | undefined {
  const h = account.health;
  if (h.state !== 'needs_human' || !h.reason || !HUMAN_REASONS.includes(h.reason)) return undefined;
  return h.detail ?? h.reason;
}

/** The Midjourney bot's application id = bot user id (C.1). */
const BOT_ID = '936929561302675456';

/**
 * On save (C.1, A.3): the channel is the account's DM with the Midjourney bot and the bot's
 * `/imagine` is in its command index. useapi's own text for a missing bot is "`Midjourney bot not configured".
 */
export function verifyMidjourneyChannel(found: { channel: { id: string; type: number; recipients?: readonly { id: string }[] }; commands: readonly { name: string; application_id: string }[] }): string | undefined {
  const { channel, commands } = found;
  if (channel.type !== 1 || !(channel.recipients ?? []).some((r) => r.id === BOT_ID)) {
    return `Channel ${channel.id} is not the DM channel with the Midjourney bot (${BOT_ID}): use the channel of your direct messages with it`;
  }
  if (!commands.some((c) => c.name === 'imagine' && c.application_id === BOT_ID)) return 'Midjourney bot not configured: its /imagine command is not available in this DM channel';
  return undefined;
}

/** useapi's 400 when the account has no way to the bot (A.3; its backquote included). */
export const BOT_NOT_CONFIGURED = '`Midjourney bot not configured';

type PrivateChannel = { id?: unknown; type?: unknown; recipients?: readonly { id?: unknown }[] };

/**
 * `POST /v2/account/midjourney` (A.3): the account's DM channel with the bot, found among its
 * private channels (`GET /users/@me/channels`, the DM whose recipient is the bot), else opened
 * with `POST /users/@me/channels {recipients: [bot]}` as the web client does when a user first
 * messages someone; Discord answers the existing DM there too. Both go through `rest`, the
 * account's own client.
 */
export async function discoverMidjourneyDm(rest: AccountRest): Promise<Parsed<string>> {
  const isBotDm = (c: PrivateChannel | null | undefined): c is PrivateChannel & { id: string } =>
    !!c && c.type === 1 && typeof c.id === 'string' && (c.recipients ?? []).some((r) => r?.id === BOT_ID);
  const channels = await rest.get<unknown>('/users/@me/channels');
  const found = Array.isArray(channels) ? (channels as PrivateChannel[]).find(isBotDm) : undefined;
  if (found) return { ok: true, value: found.id };
  let opened: PrivateChannel;
  try {
    opened = await rest.post<PrivateChannel>('/users/@me/channels', { recipients: [BOT_ID] });
  } catch (error) {
    // Discord will not open a DM with the bot for this account (e.g. 50007, 50033): useapi's text.
    // Everything else (token, human check, network) is the account service's to explain.
    if (error instanceof DiscordApiError && ['missing_access', 'missing_permissions', 'bad_request', 'invalid_form', 'not_found'].includes(error.kind)) {
      return { ok: false, error: BOT_NOT_CONFIGURED, details: error.message };
    }
    throw error;
  }
  if (isBotDm(opened)) return { ok: true, value: opened.id };
  return { ok: false, error: BOT_NOT_CONFIGURED, details: 'Discord answered the DM request with a channel that is not the DM with the Midjourney bot' };
}

const str = { type: 'string' } as const;

export const midjourneyAccount: ProviderAccountSpec = {
  schema: {
    request: {
      type: 'object',
      properties: { discord: str, channel: str, server: str, maxJobs: { type: ['integer', 'string'], minimum: 1, maximum: MAX_CONCURRENT_JOBS }, replyUrl: { type: 'string', maxLength: REPLY_URL_LIMIT } },
      required: ['discord', 'channel', 'maxJobs'],
    },
    response: {
      type: 'object',
      properties: {
        channel: { type: 'string', description: 'the DM channel with the Midjourney bot' },
        discord: str,
        server: str,
        maxJobs: { type: 'integer', minimum: 1, maximum: MAX_CONCURRENT_JOBS },
        replyUrl: str,
        pendingModMessage: { type: 'string', description: 'Midjourney’s notice that took the account out of rotation, until `…/reset`' },
        mode: { type: 'string', enum: ['fast', 'relaxed', 'turbo'], description: 'the speed mode Midjourney last confirmed (`/fast`, `/relax`, `/turbo`, `/info`), when known' },
        fastTimeRemaining: { type: 'object' },
        commandCheck: COMMAND_CHECK_SCHEMA,
      },
      required: ['channel', 'discord', 'maxJobs'],
      additionalProperties: false,
    },
  },
  parse: parseMidjourneyAccount,
  verify: verifyMidjourneyChannel,
  discoverChannel: discoverMidjourneyDm,
  render: (account, discord) =>
    renderMidjourneyAccount(account, discord, {
      replyUrl: account.replyUrl ?? null,
      // The speed mode the bot last confirmed (`/fast`, `/relax`, `/turbo`, the `/info` card).
      mode: typeof account.reportedStatus?.fields.mode === 'string' ? account.reportedStatus.fields.mode : null,
      ...(account.credits ? { fastTimeRemaining: { hours: Math.max(0, (account.credits.total ?? 0) - account.credits.used), total: account.credits.total ?? null, at: account.credits.timestamp } } : {}),
    }),
};
