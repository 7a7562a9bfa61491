/**
 * The check of an account's channel against the commands its provider needs (issue 12 item 5):
 * read Discord's live command index with the account's token and compare, in plain words.
 */
import { compareCommands, DiscordApiError, fetchCommandIndex, type CommandComparison, type VerifyAccountOptions } from '../discord/index.ts';
import type { Provider } from '../providers/index.ts';
import type { CommandCheck } from '../store/index.ts';

/** What a check needs: the same token, channel, transport (proxy) and browser profile as verification. */
export type CommandCheckInput = Pick<VerifyAccountOptions, 'token' | 'channelId' | 'guildId' | 'apiUrl' | 'fetch' | 'profile'>;

/** What the check found, or why it could not look (`unreachable`: try again later). */
export type CommandCheckOutcome = { ok: true; comparison: CommandComparison } | { ok: false; reason: 'unreachable' | 'refused'; message: string };

export async function checkProviderCommands(provider: Provider, input: CommandCheckInput): Promise<CommandCheckOutcome> {
  try {
    const index = await fetchCommandIndex({
      token: input.token,
      apiUrl: input.apiUrl,
      channelId: input.channelId,
      ...(provider.location === 'guild' && input.guildId ? { guildId: input.guildId } : {}),
      ...(input.fetch ? { fetch: input.fetch } : {}),
      ...(input.profile ? { profile: input.profile } : {}),
    });
    const comparison = compareCommands(index, provider.discordCommands ?? [], {
      ...(provider.applicationId ? { applicationId: provider.applicationId } : {}),
      botName: (provider.title ?? provider.name),
      aliases: provider.rules?.current.table.optionAliases ?? {},
    });
    return { ok: true, comparison };
  } catch (error) {
    if (!(error instanceof DiscordApiError)) throw error;
    const unreachable = error.kind === 'network' || error.kind === 'server_error' || error.kind === 'rate_limited' || error.kind === 'cloudflare_blocked';
    return { ok: false, reason: unreachable ? 'unreachable' : 'refused', message: `Discord did not show the command index: ${error.message}` };
  }
}

/** The plain-words sentence for a bot that is not where the account says it is. */
export function botMissing(provider: Provider, channel: string, server: string | null): string {
  if (provider.missingBotExplanation) return provider.missingBotExplanation;
  const where = provider.location === 'guild' && server ? `server ${server}` : `channel ${channel}`;
  return `The ${(provider.title ?? provider.name)} bot is not in ${where}: Discord's command index there has none of its commands. Invite the bot to the server${provider.applicationId ? ` (application id ${provider.applicationId})` : ''}, then save the account again.`;
}

/** The stored form of a comparison. */
export function toCommandCheck(comparison: CommandComparison, provider: Provider, channel: string, server: string | null, now: number): CommandCheck {
  const problems = comparison.botPresent ? comparison.problems : [botMissing(provider, channel, server)];
  return { checkedAt: now, ok: problems.length === 0, problems };
}
