/** InsightFaceSwap accounts: a Discord token, the user's own server and a text channel in it. */
import type { ProviderAccountSpec } from '../types.ts';
import { COMMAND_CHECK_SCHEMA } from '../shared/command-check-schema.ts';
import { renderCredits } from './credits.ts';
import { invalidId, isMissing, missing, notMatchingPath, replyUrlProperty, snowflakeOrError } from '../shared/account-fields.ts';

const str = { type: 'string' } as const;

export const faceswapAccount: ProviderAccountSpec = {
  schema: {
    request: { type: 'object', properties: { discord: str, server: str, channel: str, replyUrl: replyUrlProperty }, required: ['discord', 'server', 'channel'] },
    response: {
      type: 'object',
      properties: { server: str, channel: str, discord: { ...str, description: 'the Discord token, shown in full as useapi does' }, credits: { $ref: '#/components/schemas/Credits' }, replyUrl: replyUrlProperty, commandCheck: COMMAND_CHECK_SCHEMA },
      required: ['server', 'channel', 'discord'],
      additionalProperties: false,
    },
  },

  parse(body, pathChannel) {
    for (const name of ['discord', 'server', 'channel'] as const) {
      if (isMissing(body[name])) return { ok: false, error: missing(name) };
    }
    if (typeof body.discord !== 'string') return { ok: false, error: missing('discord') };
    const server = snowflakeOrError(body.server);
    if (!server) return { ok: false, error: invalidId(body.server) };
    const channel = snowflakeOrError(body.channel);
    if (!channel) return { ok: false, error: invalidId(body.channel) };
    if (channel !== pathChannel) return { ok: false, error: notMatchingPath(channel, 'faceswap', pathChannel) };
    return { ok: true, value: { discord: body.discord.trim(), server, channel, maxJobs: null } };
  },

  render(account, discord) {
    const credits = renderCredits(account.credits, Date.now());
    return {
      server: account.server,
      channel: account.channel,
      discord,
      // useapi shows credits only once the bot has revealed them; `total` only when it printed one.
      ...(credits ? { credits } : {}),
    };
  },
};
