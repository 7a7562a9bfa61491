/**
 * The command check on first use (issue 12 item 5): the first time this process sends a command
 * for an account whose commands were never compared (saved without verification, or brought by
 * the call itself), the channel's command index is compared with what the provider needs and the
 * result kept on the account, so the operator sees differences without running `doctor`.
 */
import { compareCommands, type DiscordAccountClient } from '../discord/index.ts';
import type { Provider } from '../providers/index.ts';
import type { AccountRecord, Store } from '../store/index.ts';

const checked = new WeakMap<Store, Set<string>>();

export async function checkCommandsOnFirstUse(deps: { store: Store; provider: Provider; account: AccountRecord; client: DiscordAccountClient; now: () => number }): Promise<void> {
  const { store, provider, account } = deps;
  let seen = checked.get(store);
  if (!seen) checked.set(store, (seen = new Set()));
  if (seen.has(account.id) || account.commandCheck) return;
  seen.add(account.id);
  try {
    const index = await deps.client.commands.index(provider.location === 'guild' && account.server ? { guildId: account.server } : { channelId: account.channel });
    const comparison = compareCommands(index, provider.discordCommands ?? [], {
      ...(provider.applicationId ? { applicationId: provider.applicationId } : {}),
      botName: (provider.title ?? provider.name),
      aliases: provider.rules?.current.table.optionAliases ?? {},
    });
    const problems = comparison.botPresent ? comparison.problems : [`${(provider.title ?? provider.name)} has no commands in this channel's command index`];
    await store.accounts.setCommandCheck(account.id, { checkedAt: deps.now(), ok: problems.length === 0, problems }, deps.now());
  } catch {
    // Best effort: the command itself reports what goes wrong.
    seen.delete(account.id);
  }
}
