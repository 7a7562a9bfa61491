/**
 * What the provider contract suite needs to know about a bot besides its provider object: the
 * bot's own command index (what Discord will accept), sample field values where a field has a
 * format, and reply fixtures — messages as the bot sends them, with the verdict each must get.
 * Every registered provider has one (`<name>.ts` in this folder); the suite fails for one that has none.
 */
import type { DiscordMessage } from '../../../src/discord/index.ts';
import type { CommandStep, Verdict } from '../../../src/providers/index.ts';
import type { JobRecord } from '../../../src/store/index.ts';

export interface ProviderFixture {
  /** The bot's commands as its command index declares them: name → option names (slash) or [] (context menu). */
  botCommands: Record<string, readonly string[]>;
  /** Values for text fields with a format (the others get a short word). */
  values?: Record<string, string>;
  /** The parent job of `parent`-selection commands (button presses). */
  parent?: Partial<JobRecord>;
  replies: { name: string; step: CommandStep; message: DiscordMessage; verdict: Verdict['kind'] }[];
}

export const botMessage = (content: string, extra: Partial<DiscordMessage> = {}): DiscordMessage => ({
  id: '1300000000000000001',
  channel_id: '1300000000000000002',
  author: { id: '1300000000000000003', username: 'Bot' },
  content,
  attachments: [],
  timestamp: '2026-02-01T02:05:24.991000+00:00',
  ...extra,
});
