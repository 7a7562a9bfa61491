/**
 * The operator's bot rules file (`SWITCHBOARD_BOT_RULES=rules.json`): extends or replaces each
 * provider's rule data, so a change in a bot's wording is a configuration change. Checked once at
 * start; a bad entry stops the start with an error that names it (exit 78).
 *
 * ```json
 * {
 *   "faceswap": {
 *     "refusal": ["\\bidname\\b.*\\bnot registered\\b"],
 *     "acknowledgement": { "replace": ["^\\W*command (sent|received)\\b"] },
 *     "usage": ["\\[used: (?<used>\\d+)/(?<total>\\d+)\\]"],
 *     "optionAliases": { "swapid.idname": "names" }
 *   },
 *   "midjourney": {
 *     "notices": [{ "id": "slow-down", "titles": ["Slow down"], "outcome": "queued" }]
 *   }
 * }
 * ```
 *
 * A list given as an array is added to the built-in one; `{ "replace": [...] }` replaces it.
 * What a bot's object may hold is that provider's business ({@link OperatorRules}): the shared
 * reply-rule lists (faceswap, pika: `shared/reply-rules.ts`) or a table of its own (Midjourney:
 * `midjourney/rule-book.ts`). This module only reads the file and dispatches.
 */
import fs from 'node:fs';
import { ConfigError } from '../config/index.ts';
import { isRuleObject, RuleError, type OperatorRules } from './shared/reply-rules.ts';

export type RulesOverride = Record<string, Record<string, unknown>>;

/**
 * Checks an operator's override against the providers' rule data; returns, per bot, what installs
 * its merged rules. Throws {@link RuleError} naming the bad entry; installs nothing.
 */
export function mergeRules(books: readonly OperatorRules[], override: unknown, source = 'rules'): Map<string, () => void> {
  if (!isRuleObject(override)) throw new RuleError(source, 'must be a JSON object keyed by bot name');
  const byName = new Map(books.map((b) => [b.provider, b]));
  const out = new Map<string, () => void>();
  for (const [bot, lists] of Object.entries(override)) {
    const book = byName.get(bot);
    if (!book) throw new RuleError(`${source}.${bot}`, `is not a bot switchboard knows (known: ${[...byName.keys()].join(', ')})`);
    if (!isRuleObject(lists)) throw new RuleError(`${source}.${bot}`, 'must be an object of rule lists');
    out.set(bot, book.prepare(lists, `${source}.${bot}`));
  }
  return out;
}

/** Reads, checks and installs the rules file; without a file every provider keeps its own data. */
export function installRulesFile(file: string | undefined, books: readonly OperatorRules[]): void {
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
export function installRules(override: unknown, books: readonly OperatorRules[], source = 'rules'): void {
  let merged: Map<string, () => void>;
  try {
    merged = mergeRules(books, override, 'rules');
  } catch (error) {
    if (error instanceof RuleError) throw new ConfigError(`SWITCHBOARD_BOT_RULES (${source}): ${error.message}`);
    throw error;
  }
  for (const book of books) merged.get(book.provider)?.();
}
