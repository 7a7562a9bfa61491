/** Pika accounts: a Discord token, the DM channel with Pika Bot, and the plan's concurrency. */
import type { ProviderAccountSpec } from '../types.ts';
import { COMMAND_CHECK_SCHEMA } from '../shared/command-check-schema.ts';
import { invalidId, isMissing, missing, notMatchingPath, replyUrlProperty, snowflakeOrError } from '../shared/account-fields.ts';
import { MAX_CONCURRENT_JOBS, parseMaxJobs } from './max-jobs.ts';

const str = { type: 'string' } as const;

export const pikaAccount: ProviderAccountSpec = {
  schema: {
    request: { type: 'object', properties: { discord: str, channel: str, maxJobs: { type: ['integer', 'string'] }, replyUrl: replyUrlProperty }, required: ['discord', 'channel', 'maxJobs'] },
    response: {
      type: 'object',
      properties: { channel: str, discord: str, maxJobs: { type: 'integer', minimum: 1, maximum: MAX_CONCURRENT_JOBS }, replyUrl: replyUrlProperty, commandCheck: COMMAND_CHECK_SCHEMA },
      required: ['channel', 'discord', 'maxJobs'],
      additionalProperties: false,
    },
  },

  parse(body, pathChannel) {
    if (isMissing(body.discord) || typeof body.discord !== 'string') return { ok: false, error: missing('discord') };
    if (isMissing(body.channel)) return { ok: false, error: missing('channel') };
    const channel = snowflakeOrError(body.channel);
    if (!channel) return { ok: false, error: invalidId(body.channel) };
    if (channel !== pathChannel) return { ok: false, error: notMatchingPath(channel, 'pika', pathChannel) };
    if (isMissing(body.maxJobs)) return { ok: false, error: missing('maxJobs') };
    const maxJobs = parseMaxJobs(body.maxJobs);
    if (!maxJobs.ok) return maxJobs;
    return { ok: true, value: { discord: body.discord.trim(), server: null, channel, maxJobs: maxJobs.value } };
  },

  render(account, discord) {
    return { channel: account.channel, discord, maxJobs: account.maxJobs ?? MAX_CONCURRENT_JOBS };
  },
};
