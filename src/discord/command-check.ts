/**
 * Compares the commands a provider needs with Discord's live application-command-index of a
 * channel (guild index for guild channels, the channel's own index for DMs) and says what differs
 * in plain words. Used on account save, by `switchboard doctor`, and when a command is first sent.
 */
import type { ClientProfile } from './client-properties.ts';
import type { FetchLike } from './rest/client.ts';
import { checkClient } from './verify.ts';
import { OptionType, type ApplicationCommand, type ApplicationCommandIndex, type CommandOptionDefinition } from './types.ts';

export type OptionKind = 'string' | 'integer' | 'boolean' | 'number' | 'attachment';

/** One command a provider sends, as it expects Discord to list it. */
export interface CommandNeed {
  name: string;
  /** 1 slash command (default), 3 message context menu. */
  type?: 1 | 3;
  options?: Array<{ name: string; kind: OptionKind; required?: boolean }>;
  /** `confirmed` from public payloads; `inferred` when only guessed (e.g. from useapi's field names). */
  knowledge: 'confirmed' | 'inferred';
}

export interface CommandComparison {
  /** The bot's application is present in the index (for bots without a public id: one offering the commands). */
  botPresent: boolean;
  applicationId: string | undefined;
  /** Differences, one plain sentence each, with how to fix them where possible. */
  problems: string[];
}

const KIND_TYPES: Record<OptionKind, number> = {
  string: OptionType.String,
  integer: OptionType.Integer,
  boolean: OptionType.Boolean,
  number: OptionType.Number,
  attachment: OptionType.Attachment,
};
const TYPE_NAMES: Record<number, string> = { 1: 'subcommand', 2: 'subcommand group', 3: 'text', 4: 'integer', 5: 'true/false', 6: 'user', 7: 'channel', 8: 'role', 9: 'mentionable', 10: 'number', 11: 'file' };

const nameOf = (x: { name: string; name_default?: string }) => x.name_default ?? x.name;

/**
 * Compares. `applicationId` is the bot's public id; without one (Pika) the application that
 * offers the first needed command is taken as the bot. `aliases` maps `command.option` to the
 * name the bot uses now (the operator's `optionAliases`).
 */
export function compareCommands(
  index: ApplicationCommandIndex,
  needs: readonly CommandNeed[],
  options: { applicationId?: string; botName: string; aliases?: Readonly<Record<string, string>> },
): CommandComparison {
  const apps = index.applications ?? [];
  const commands = index.application_commands ?? [];
  let app = options.applicationId ? apps.find((a) => a.id === options.applicationId || a.bot_id === options.applicationId) : undefined;
  if (!options.applicationId) {
    const owner = commands.find((c) => needs.some((n) => n.name === nameOf(c) && (n.type ?? 1) === (c.type ?? 1)))?.application_id;
    app = apps.find((a) => a.id === owner) ?? (owner ? { id: owner } : undefined);
  }
  const ownCommands = commands.filter((c) => app && (c.application_id === app.id || c.application_id === app.bot_id));
  if (!app || (ownCommands.length === 0 && !options.applicationId)) return { botPresent: false, applicationId: app?.id, problems: [] };
  const problems: string[] = [];
  for (const need of needs) {
    const type = need.type ?? 1;
    const label = type === 3 ? `the message command "${need.name}"` : `/${need.name}`;
    const found = ownCommands.find((c) => nameOf(c) === need.name && (c.type ?? 1) === type);
    const guess = need.knowledge === 'inferred' ? " (switchboard's description of this command is inferred, not confirmed)" : '';
    if (!found) {
      problems.push(`${options.botName} offers no ${label} here, so calls that use it will fail${guess}.`);
      continue;
    }
    problems.push(...compareOptions(found, need, label, guess, options.aliases ?? {}));
  }
  return { botPresent: true, applicationId: app.id, problems };
}

function compareOptions(found: ApplicationCommand, need: CommandNeed, label: string, guess: string, aliases: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const live = found.options ?? [];
  const used = new Set<string>();
  for (const option of need.options ?? []) {
    const alias = aliases[`${need.name}.${option.name}`];
    const name = alias ?? option.name;
    const def = live.find((o) => nameOf(o) === name);
    if (!def) {
      const others = live.map(nameOf).filter((n) => !(need.options ?? []).some((o) => (aliases[`${need.name}.${o.name}`] ?? o.name) === n));
      const hint = others.length === 1 ? ` If the bot renamed it to "${others[0]}", add "${need.name}.${option.name}": "${others[0]}" to optionAliases in SWITCHBOARD_BOT_RULES.` : others.length > 1 ? ` Options it has that switchboard does not use: ${others.join(', ')}; map the renamed one with optionAliases in SWITCHBOARD_BOT_RULES.` : '';
      problems.push(`${label} has no option "${name}"${alias ? ` (alias of "${option.name}")` : ''}, which switchboard sends${option.required ? ' on every call' : ' when the request carries it'}.${hint}${guess}`);
      continue;
    }
    used.add(nameOf(def));
    if (def.type !== KIND_TYPES[option.kind]) {
      problems.push(`Option "${name}" of ${label} takes ${describe(def.type)} in Discord's index, but switchboard sends ${describe(KIND_TYPES[option.kind])}.${guess}`);
    }
  }
  for (const def of live as CommandOptionDefinition[]) {
    if (def.required && !used.has(nameOf(def))) problems.push(`${label} requires option "${nameOf(def)}" (${describe(def.type)}), which switchboard does not send, so the bot will reject its calls${guess}.`);
  }
  return problems;
}

function describe(type: number): string {
  const name = TYPE_NAMES[type] ?? `type ${type}`;
  return name === 'file' ? 'a file' : name === 'integer' ? 'an integer' : `a ${name}`;
}

/** Reads the live command index of a channel with an account's token (no gateway needed). */
export async function fetchCommandIndex(options: { token: string; apiUrl: string; channelId: string; guildId?: string; fetch?: FetchLike; profile?: Partial<ClientProfile>; timeoutMs?: number }): Promise<ApplicationCommandIndex> {
  const rest = checkClient(options);
  const path = options.guildId ? `/guilds/${options.guildId}/application-command-index` : `/channels/${options.channelId}/application-command-index`;
  return rest.get<ApplicationCommandIndex>(path);
}
