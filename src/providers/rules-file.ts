/**
 * The operator's bot rules file (`SWITCHBOARD_BOT_RULES=rules.json`): extends or replaces the
 * lists of each provider's reply-rule table, so a change in a bot's wording is a configuration
 * change. Checked once at start; a bad entry stops the start with an error that names it.
 *
 * ```json
 * {
 *   "faceswap": {
 *     "refusal": ["\\bidname\\b.*\\bnot registered\\b"],
 *     "acknowledgement": { "replace": ["^\\W*command (sent|received)\\b"] },
 *     "usage": ["\\[used: (?<used>\\d+)/(?<total>\\d+)\\]"],
 *     "optionAliases": { "swapid.idname": "names" }
 *   }
 * }
 * ```
 *
 * A list given as an array is added to the built-in one; `{ "replace": [...] }` replaces it.
 */
import fs from 'node:fs';
import { ConfigError } from '../config/index.ts';
import { compileRules, RULE_LISTS, RuleError, type CompiledRules, type ReplyRuleTable, type RuleBook, type RuleList } from './shared/reply-rules.ts';

export type RulesOverride = Record<string, Partial<Record<RuleList, unknown>> & { optionAliases?: unknown }>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Merges an operator's override into the built-in tables; throws {@link RuleError} naming the bad entry. */
export function mergeRules(books: readonly RuleBook[], override: unknown, source = 'rules'): Map<string, CompiledRules> {
  if (!isObject(override)) throw new RuleError(source, 'must be a JSON object keyed by bot name');
  const byName = new Map(books.map((b) => [b.provider, b]));
  const out = new Map<string, CompiledRules>();
  for (const [bot, lists] of Object.entries(override)) {
    const book = byName.get(bot);
    if (!book) throw new RuleError(`${source}.${bot}`, `is not a bot switchboard knows (known: ${[...byName.keys()].join(', ')})`);
    if (!isObject(lists)) throw new RuleError(`${source}.${bot}`, 'must be an object of rule lists');
    const table: ReplyRuleTable = structuredClone({ ...book.defaults }) as ReplyRuleTable;
    for (const [key, value] of Object.entries(lists)) {
      const path = `${source}.${bot}.${key}`;
      if (key === 'optionAliases') {
        if (!isObject(value)) throw new RuleError(path, 'must be an object of "command.option": "name in Discord"');
        for (const [from, to] of Object.entries(value)) {
          if (!/^[\w-]+\.[\w-]+$/.test(from)) throw new RuleError(`${path}.${from}`, 'must be named "command.option", e.g. "swapid.idname"');
          if (typeof to !== 'string' || !/^[\w-]{1,32}$/.test(to)) throw new RuleError(`${path}.${from}`, 'must be the option name Discord shows (1–32 letters, digits, _ or -)');
        }
        table.optionAliases = { ...table.optionAliases, ...(value as Record<string, string>) };
        continue;
      }
      if (!(RULE_LISTS as readonly string[]).includes(key)) throw new RuleError(path, `is not a rule list (known: ${[...RULE_LISTS, 'optionAliases'].join(', ')})`);
      const list = key as RuleList;
      const replace = isObject(value) && Object.keys(value).length === 1 && 'replace' in value;
      const entries = replace ? (value as { replace: unknown }).replace : value;
      if (!Array.isArray(entries)) throw new RuleError(path, 'must be an array of patterns, or { "replace": [ … ] }');
      entries.forEach((entry, i) => {
        const at = `${path}${replace ? '.replace' : ''}[${i}]`;
        if (list === 'errorColour') {
          if (typeof entry !== 'number' && typeof entry !== 'string') throw new RuleError(at, 'must be a colour: a number or "#rrggbb"');
        } else if (typeof entry !== 'string') throw new RuleError(at, 'must be a string (a regular expression)');
      });
      const current = table[list] as unknown[];
      (table as unknown as Record<string, unknown[]>)[list] = replace ? [...entries] : [...current, ...entries];
    }
    // Compiling checks every pattern; errors name the list and index in the merged table, so
    // point them back at the file's entry.
    try {
      out.set(bot, compileRules(bot, table));
    } catch (error) {
      if (error instanceof RuleError) throw new RuleError(`${source}.${error.path}`, error.message.slice(error.path.length + 2));
      throw error;
    }
  }
  return out;
}

/** Reads, checks and installs the rules file; without a file every provider keeps its own table. */
export function installRulesFile(file: string | undefined, books: readonly RuleBook[]): void {
  for (const book of books) book.reset();
  if (!file) return;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`SWITCHBOARD_BOT_RULES: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SWITCHBOARD_BOT_RULES: ${file} is not valid JSON (${(error as Error).message})`);
  }
  installRules(json, books, file);
}

/** Checks and installs an override object (the rules file's content, or the simulator's extras). */
export function installRules(override: unknown, books: readonly RuleBook[], source = 'rules'): void {
  let merged: Map<string, CompiledRules>;
  try {
    merged = mergeRules(books, override, 'rules');
  } catch (error) {
    if (error instanceof RuleError) throw new ConfigError(`SWITCHBOARD_BOT_RULES (${source}): ${error.message}`);
    throw error;
  }
  for (const book of books) {
    const rules = merged.get(book.provider);
    if (rules) book.install(rules);
  }
}
