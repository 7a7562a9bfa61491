/**
 * Bot knowledge as data. Each provider declares one {@link ReplyRuleTable} in its folder; an
 * operator's rules file (`SWITCHBOARD_BOT_RULES`) can extend or replace any list of it, so a
 * wording change on the bot's side is a configuration change, not a release.
 *
 * Reading order (structure first, words second):
 * 1. an embed whose colour is red (or listed in `errorColour`) or whose title matches `errorTitle`
 *    → `failed` with the embed's text (`moderated` when it matches `moderation`);
 * 2. media (an attachment, or an embed image/video) → `done`;
 * 3. the confirmed acknowledgements: `submitted` → submitted, `acknowledgement` → progress;
 * 4. wording: `moderation` → moderated, `outOfCredits` → failed (and the account is out of
 *    credits), `tooManyJobs` / `refusal` → failed, `progress` → progress;
 * 5. a text command's first other reply → `done` with its text; on a media command → `unclassified`.
 *
 * Refusal patterns are phrases, never a common word alone: "must", "invalid", "unknown" or
 * "not found" on their own appear in ordinary informational replies.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { CommandStep, Verdict } from '../types.ts';
import { isRedColour, viewOf, type ReplyView } from './reply-view.ts';

/** The lists a provider's rule table holds. Patterns are regular expressions (case-insensitive). */
export interface ReplyRuleTable {
  /** The bot's acknowledgement of a command: the job is running. */
  acknowledgement: string[];
  /** An asynchronous job accepted ("Job Submitted"): `answer: 'started'` calls return. */
  submitted: string[];
  /** Progress wording; a first capture group that is a number is read as a percentage. */
  progress: string[];
  /** Clear refusals of a command → `failed`. */
  refusal: string[];
  /** Moderation → `moderated`. */
  moderation: string[];
  /** Refusals that say the account has no credits left → `failed`, account marked out of credits. */
  outOfCredits: string[];
  /** "You already run too many jobs" → `failed`, with advice to lower the account's maxJobs. */
  tooManyJobs: string[];
  /** Embed titles that mark an error (matched against the title only). */
  errorTitle: string[];
  /** Embed colours (decimal, or `#rrggbb`) that mark an error besides the red family. */
  errorColour: Array<number | string>;
  /** A job's cost as the bot prints it; the first capture group is the number. */
  cost: string[];
  /** The account's usage as the bot prints it: named groups `used` and `total`. */
  usage: string[];
  /** Renamed command options: `"command.option": "name in Discord's index"`. */
  optionAliases: Record<string, string>;
}

export const RULE_LISTS = ['acknowledgement', 'submitted', 'progress', 'refusal', 'moderation', 'outOfCredits', 'tooManyJobs', 'errorTitle', 'errorColour', 'cost', 'usage'] as const satisfies readonly (keyof ReplyRuleTable)[];
export type RuleList = (typeof RULE_LISTS)[number];

/** A table compiled for matching. */
export interface CompiledRules {
  readonly table: Readonly<ReplyRuleTable>;
  readonly patterns: Readonly<Record<Exclude<RuleList, 'errorColour'>, RegExp[]>>;
  readonly errorColours: ReadonlySet<number>;
}

/** Thrown for a rule that cannot be used; `path` names it (e.g. `faceswap.refusal[2]`). */
export class RuleError extends Error {
  override name = 'RuleError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * A provider's part of the operator's rules file (`SWITCHBOARD_BOT_RULES`), whatever the shape
 * of its rule data: the shared reply-rule table ({@link RuleBook}) or a table of its own (e.g.
 * Midjourney's notices). `rules-file.ts` hands each provider its object and installs nothing
 * until every provider's part has been checked.
 */
export interface OperatorRules {
  /** The bot's name: its key in the rules file. */
  readonly provider: string;
  /**
   * Checks this provider's object of the rules file, merged with its built-in data, and returns
   * what installs the result. Throws {@link RuleError} whose path starts with `path`
   * (e.g. `rules.faceswap`) and names the bad entry. Installs nothing itself.
   */
  prepare(override: Record<string, unknown>, path: string): () => void;
  /** Back to the provider's built-in data. */
  reset(): void;
}

export const isRuleObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An operator's list: an array is added to the built-in list, `{ "replace": [...] }` replaces it.
 * Returns the entries with the path of each (`…[i]` or `….replace[i]`) for error messages.
 */
export function operatorList(value: unknown, path: string, what = 'patterns'): { replace: boolean; entries: { value: unknown; at: string }[] } {
  const replace = isRuleObject(value) && Object.keys(value).length === 1 && 'replace' in value;
  const entries = replace ? (value as { replace: unknown }).replace : value;
  if (!Array.isArray(entries)) throw new RuleError(path, `must be an array of ${what}, or { "replace": [ … ] }`);
  return { replace, entries: entries.map((entry, i) => ({ value: entry, at: `${path}${replace ? '.replace' : ''}[${i}]` })) };
}

export function compilePattern(source: string, path: string): RegExp {
  if (typeof source !== 'string' || source.trim() === '') throw new RuleError(path, 'must be a non-empty string (a regular expression)');
  try {
    return new RegExp(source, 'iu');
  } catch (error) {
    throw new RuleError(path, `is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function parseColour(value: unknown, path: string): number {
  const colour = typeof value === 'number' ? value : typeof value === 'string' && /^#?[0-9a-f]{6}$/i.test(value) ? parseInt(value.replace('#', ''), 16) : NaN;
  if (!Number.isInteger(colour) || colour < 0 || colour > 0xffffff) throw new RuleError(path, 'must be a colour: a number from 0 to 16777215 or "#rrggbb"');
  return colour;
}

export function compileRules(name: string, table: ReplyRuleTable): CompiledRules {
  const patterns = {} as Record<Exclude<RuleList, 'errorColour'>, RegExp[]>;
  for (const list of RULE_LISTS) {
    if (list === 'errorColour') continue;
    patterns[list] = table[list].map((source, i) => compilePattern(source, `${name}.${list}[${i}]`));
  }
  for (const [i, source] of table.usage.entries()) {
    const groups = new RegExp(`${source}|`).exec('')?.groups;
    if (!groups || !('used' in groups)) throw new RuleError(`${name}.usage[${i}]`, 'needs a named group (?<used>…) and optionally (?<total>…)');
  }
  const errorColours = new Set(table.errorColour.map((c, i) => parseColour(c, `${name}.errorColour[${i}]`)));
  return { table: Object.freeze({ ...table }), patterns, errorColours };
}

const first = (patterns: RegExp[], text: string): RegExpExecArray | undefined => {
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return match;
  }
  return undefined;
};

/** The view of a message under these rules (which embeds count as errors). */
export function readMessage(rules: CompiledRules, message: DiscordMessage): ReplyView {
  return viewOf(message, (embed, _text) => {
    const colour = typeof embed.color === 'number' ? embed.color : undefined;
    if (colour !== undefined && (isRedColour(colour) || rules.errorColours.has(colour))) return true;
    const title = typeof embed.title === 'string' ? embed.title : '';
    return title !== '' && first(rules.patterns.errorTitle, title) !== undefined;
  });
}

/** Classifies one bot message for the step it answers. */
export function classify(rules: CompiledRules, message: DiscordMessage, step: CommandStep): Verdict {
  const view = readMessage(rules, message);
  const p = rules.patterns;
  if (view.errorEmbedText !== undefined) {
    const error = view.errorEmbedText || view.content || 'the bot answered with an error';
    if (first(p.moderation, view.text)) return { kind: 'moderated', error };
    return { kind: 'failed', error, ...(first(p.outOfCredits, view.text) ? { outOfCredits: true } : {}) };
  }
  if (view.hasMedia) return { kind: 'done' };
  const text = view.text;
  if (text === '') return view.loading ? { kind: 'progress' } : { kind: 'ignore' };
  // The confirmed wordings come first: a submitted job echoes the user's prompt, which may hold any word.
  if (first(p.submitted, text)) return { kind: 'submitted' };
  if (first(p.acknowledgement, text)) return { kind: 'progress' };
  if (first(p.moderation, text)) return { kind: 'moderated', error: text };
  if (first(p.outOfCredits, text)) return { kind: 'failed', error: text, outOfCredits: true };
  if (first(p.tooManyJobs, text)) return { kind: 'failed', error: text, tooManyJobs: true };
  if (first(p.refusal, text)) return { kind: 'failed', error: text };
  const progress = first(p.progress, text);
  if (progress) {
    const percent = progress[1] !== undefined && /^\d{1,3}$/.test(progress[1]) ? Number(progress[1]) : undefined;
    return percent !== undefined && percent <= 100 ? { kind: 'progress', percent } : { kind: 'progress' };
  }
  if (step.expects === 'text') return { kind: 'done', text };
  return view.loading ? { kind: 'progress' } : { kind: 'unclassified', text };
}

/** The cost a message states (`[credits: 4]`), if any. */
export function costOf(rules: CompiledRules, message: DiscordMessage): number | undefined {
  const match = first(rules.patterns.cost, readMessage(rules, message).text);
  const value = match?.[1] !== undefined ? Number(match[1]) : NaN;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The account usage a message states, when an operator rule knows where the bot prints it. */
export function usageOf(rules: CompiledRules, message: DiscordMessage): { used: number; total?: number } | undefined {
  const match = first(rules.patterns.usage, readMessage(rules, message).text);
  const used = Number(match?.groups?.used);
  if (!match || !Number.isFinite(used)) return undefined;
  const total = Number(match.groups?.total);
  return Number.isFinite(total) && match.groups?.total !== undefined ? { used, total } : { used };
}

/**
 * A provider's rules as they are in force: its own table, possibly extended or replaced by the
 * operator's file. Providers read `current` on every message, so installing new rules takes
 * effect at once.
 */
export class RuleBook implements OperatorRules {
  #current: CompiledRules;
  constructor(
    readonly provider: string,
    readonly defaults: Readonly<ReplyRuleTable>,
  ) {
    this.#current = compileRules(provider, { ...defaults });
  }

  get current(): CompiledRules {
    return this.#current;
  }

  /** Replaces the rules in force (already validated). */
  install(rules: CompiledRules): void {
    this.#current = rules;
  }

  /** Back to the provider's own table. */
  reset(): void {
    this.#current = compileRules(this.provider, { ...this.defaults });
  }

  /**
   * The operator's lists merged into the built-in table (see `rules-file.ts` for the format).
   * Errors name the entry: `<path>.<list>[i]` in the file, or the merged list's index for a
   * pattern that does not compile.
   */
  prepare(lists: Record<string, unknown>, path: string): () => void {
    const table: ReplyRuleTable = structuredClone({ ...this.defaults }) as ReplyRuleTable;
    for (const [key, value] of Object.entries(lists)) {
      const at = `${path}.${key}`;
      if (key === 'optionAliases') {
        if (!isRuleObject(value)) throw new RuleError(at, 'must be an object of "command.option": "name in Discord"');
        for (const [from, to] of Object.entries(value)) {
          if (!/^[\w-]+\.[\w-]+$/.test(from)) throw new RuleError(`${at}.${from}`, 'must be named "command.option", e.g. "swapid.idname"');
          if (typeof to !== 'string' || !/^[\w-]{1,32}$/.test(to)) throw new RuleError(`${at}.${from}`, 'must be the option name Discord shows (1–32 letters, digits, _ or -)');
        }
        table.optionAliases = { ...table.optionAliases, ...(value as Record<string, string>) };
        continue;
      }
      if (!(RULE_LISTS as readonly string[]).includes(key)) throw new RuleError(at, `is not a rule list (known: ${[...RULE_LISTS, 'optionAliases'].join(', ')})`);
      const list = key as RuleList;
      const { replace, entries } = operatorList(value, at);
      for (const entry of entries) {
        if (list === 'errorColour') {
          if (typeof entry.value !== 'number' && typeof entry.value !== 'string') throw new RuleError(entry.at, 'must be a colour: a number or "#rrggbb"');
        } else if (typeof entry.value !== 'string') throw new RuleError(entry.at, 'must be a string (a regular expression)');
      }
      const values = entries.map((e) => e.value) as never[];
      (table as unknown as Record<string, unknown[]>)[list] = replace ? values : [...(table[list] as unknown[]), ...values];
    }
    // Compiling checks every pattern, under the file's path (`rules.faceswap.refusal[3]`).
    const rules = compileRules(path, table);
    return () => this.install(rules);
  }
}

/**
 * A command's options and files under the names the bot uses now (the operator's
 * `optionAliases`, `"command.option": "newName"`).
 */
export function aliasOptions<T extends { command: string; options: Record<string, string | number | boolean>; files: Record<string, string> }>(step: T, aliases: Readonly<Record<string, string>>): T {
  const rename = (name: string) => aliases[`${step.command}.${name}`] ?? name;
  if (Object.keys(aliases).length === 0) return step;
  return {
    ...step,
    options: Object.fromEntries(Object.entries(step.options).map(([k, v]) => [rename(k), v])),
    files: Object.fromEntries(Object.entries(step.files).map(([k, v]) => [rename(k), v])),
  };
}
