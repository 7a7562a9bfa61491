/**
 * Midjourney's rule data as the operator's rules file (`SWITCHBOARD_BOT_RULES`) may change it:
 * the tables of `rules.ts`, checked and merged here (its shape is not the shared reply-rule
 * table's, so the provider brings its own {@link OperatorRules}). Under `"midjourney"`:
 *
 * - `notices`: objects `{ id, titles, outcome, code?, jobModerated?, retryable?, source? }`.
 *   `outcome` is one of failed, moderated, queued, needs_human, disabled; `code` defaults per
 *   outcome (queued 200, failed/moderated 422, needs_human 596, disabled 403). An entry whose
 *   `id` is built in replaces that rule where it stands; a new one is checked before the
 *   built-in rules, so a longer title of the operator wins over a built-in one it starts with.
 * - string lists: `errorTitleWords`, `skippedContents`, `failedContentPrefixes`,
 *   `modeReplyPrefixes`, `infoTitles`, `infoFastTimeKeys`, `infoJobModeKeys`,
 *   `captchaModalTitles`, `captchaIframePaths`; `modalPromptFields` (regular expressions);
 *   `errorColours` (numbers or "#rrggbb").
 *
 * Every list: an array adds to the built-in one, `{ "replace": [...] }` replaces it.
 */
import { compilePattern, isRuleObject, operatorList, parseColour, RuleError, type OperatorRules } from '../shared/reply-rules.ts';
import {
  CAPTCHA_MODAL,
  EMBED_COLOURS,
  ERROR_TITLE_WORDS,
  FAILED_CONTENT_PREFIX,
  INFO_FAST_TIME_KEY,
  INFO_JOB_MODE_KEY,
  INFO_TITLE,
  MODAL_PROMPT_FIELDS,
  MODE_REPLY_PREFIXES,
  NOTICE_OUTCOMES,
  NOTICE_RULES,
  SKIPPED_CONTENTS,
  type NoticeOutcome,
  type NoticeRule,
} from './rules.ts';

/** The string lists of the table (compared as text; `modalPromptFields` are regular expressions). */
const STRING_LISTS = [
  'errorTitleWords',
  'skippedContents',
  'failedContentPrefixes',
  'modeReplyPrefixes',
  'infoTitles',
  'infoFastTimeKeys',
  'infoJobModeKeys',
  'captchaModalTitles',
  'captchaIframePaths',
  'modalPromptFields',
] as const;
type StringList = (typeof STRING_LISTS)[number];

export type MidjourneyRuleTable = { notices: NoticeRule[]; errorColours: Array<number | string> } & Record<StringList, string[]>;

/** The built-in table: the constants of `rules.ts`. */
export const MIDJOURNEY_RULE_TABLE: Readonly<MidjourneyRuleTable> = Object.freeze({
  notices: [...NOTICE_RULES],
  errorColours: [EMBED_COLOURS.error],
  errorTitleWords: [...ERROR_TITLE_WORDS],
  skippedContents: [...SKIPPED_CONTENTS],
  failedContentPrefixes: [FAILED_CONTENT_PREFIX],
  modeReplyPrefixes: [...MODE_REPLY_PREFIXES],
  infoTitles: [INFO_TITLE],
  infoFastTimeKeys: [INFO_FAST_TIME_KEY],
  infoJobModeKeys: [INFO_JOB_MODE_KEY],
  captchaModalTitles: [CAPTCHA_MODAL.title],
  captchaIframePaths: [CAPTCHA_MODAL.iframePath],
  modalPromptFields: [...MODAL_PROMPT_FIELDS],
});

/** The table compiled for reading messages. */
export interface MidjourneyRules {
  readonly table: Readonly<MidjourneyRuleTable>;
  readonly notices: readonly NoticeRule[];
  readonly errorColours: ReadonlySet<number>;
  readonly modalPromptFields: readonly RegExp[];
}

/** The code a notice records when the operator's rule gives none. */
const DEFAULT_CODES: Record<NoticeOutcome, number> = { queued: 200, failed: 422, moderated: 422, needs_human: 596, disabled: 403 };
const NOTICE_KEYS = ['id', 'titles', 'outcome', 'code', 'jobModerated', 'retryable', 'source'];

export function compileMidjourneyRules(table: MidjourneyRuleTable, path = 'midjourney'): MidjourneyRules {
  return {
    table: Object.freeze({ ...table }),
    notices: Object.freeze([...table.notices]),
    errorColours: new Set(table.errorColours.map((c, i) => parseColour(c, `${path}.errorColours[${i}]`))),
    modalPromptFields: table.modalPromptFields.map((p, i) => compilePattern(p, `${path}.modalPromptFields[${i}]`)),
  };
}

/** One operator notice rule, checked; throws RuleError at `at` or one of its fields. */
function noticeOf(value: unknown, at: string): NoticeRule {
  if (!isRuleObject(value)) throw new RuleError(at, 'must be an object { id, titles, outcome, code? }');
  const unknown = Object.keys(value).find((k) => !NOTICE_KEYS.includes(k));
  if (unknown !== undefined) throw new RuleError(`${at}.${unknown}`, `is not a notice field (known: ${NOTICE_KEYS.join(', ')})`);
  const { id, titles, outcome, code, jobModerated, retryable, source } = value;
  if (typeof id !== 'string' || !/^[\w.-]{1,64}$/.test(id)) throw new RuleError(`${at}.id`, 'must be a name of 1–64 letters, digits, _ . or -');
  if (!Array.isArray(titles) || titles.length === 0) throw new RuleError(`${at}.titles`, 'must be a non-empty array of embed titles');
  titles.forEach((t, i) => {
    if (typeof t !== 'string' || t.trim() === '') throw new RuleError(`${at}.titles[${i}]`, 'must be a non-empty string (an embed title, matched case-insensitively at its start)');
  });
  if (typeof outcome !== 'string' || !(NOTICE_OUTCOMES as readonly string[]).includes(outcome)) throw new RuleError(`${at}.outcome`, `must be one of ${NOTICE_OUTCOMES.join(', ')}`);
  if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code) || code < 200 || code > 599)) throw new RuleError(`${at}.code`, 'must be a status code from 200 to 599');
  for (const [name, flag] of [['jobModerated', jobModerated], ['retryable', retryable]] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') throw new RuleError(`${at}.${name}`, 'must be true or false');
  }
  if (source !== undefined && typeof source !== 'string') throw new RuleError(`${at}.source`, 'must be a string');
  const o = outcome as NoticeOutcome;
  return {
    id,
    titles: (titles as string[]).map((t) => t.trim()),
    outcome: o,
    code: (code as number | undefined) ?? DEFAULT_CODES[o],
    ...(jobModerated !== undefined ? { jobModerated: jobModerated as boolean } : {}),
    ...(retryable !== undefined ? { retryable: retryable as boolean } : {}),
    source: (source as string | undefined) ?? 'operator rules file',
  };
}

/** Merges the operator's notices: same id → replaced in place; new ids → checked first. */
function mergeNotices(current: readonly NoticeRule[], value: unknown, at: string): NoticeRule[] {
  const { replace, entries } = operatorList(value, at, 'notice rules');
  const given = entries.map((e) => noticeOf(e.value, e.at));
  const seen = new Map<string, string>();
  given.forEach((rule, i) => {
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) throw new RuleError(`${entries[i]!.at}.id`, `repeats ${JSON.stringify(rule.id)} (already at ${earlier})`);
    seen.set(rule.id, entries[i]!.at);
  });
  if (replace) return given;
  const byId = new Map(given.map((r) => [r.id, r]));
  const kept = current.map((r) => byId.get(r.id) ?? r);
  const added = given.filter((r) => !current.some((c) => c.id === r.id));
  return [...added, ...kept];
}

/**
 * Midjourney's rules in force: the built-in table, possibly merged with the operator's file. The
 * reader takes `current` on every message, so installed rules apply at once.
 */
export class MidjourneyRuleBook implements OperatorRules {
  readonly provider = 'midjourney';
  #current = compileMidjourneyRules({ ...MIDJOURNEY_RULE_TABLE });

  get current(): MidjourneyRules {
    return this.#current;
  }

  reset(): void {
    this.#current = compileMidjourneyRules({ ...MIDJOURNEY_RULE_TABLE });
  }

  prepare(override: Record<string, unknown>, path: string): () => void {
    const table: MidjourneyRuleTable = { ...MIDJOURNEY_RULE_TABLE };
    for (const [key, value] of Object.entries(override)) {
      const at = `${path}.${key}`;
      if (key === 'notices') {
        table.notices = mergeNotices(table.notices, value, at);
      } else if (key === 'errorColours') {
        const { replace, entries } = operatorList(value, at, 'colours');
        const colours = entries.map((e) => (parseColour(e.value, e.at), e.value as number | string));
        table.errorColours = replace ? colours : [...table.errorColours, ...colours];
      } else if ((STRING_LISTS as readonly string[]).includes(key)) {
        const list = key as StringList;
        const { replace, entries } = operatorList(value, at, list === 'modalPromptFields' ? 'regular expressions' : 'strings');
        const strings = entries.map((e) => {
          if (typeof e.value !== 'string' || e.value.trim() === '') throw new RuleError(e.at, 'must be a non-empty string');
          if (list === 'modalPromptFields') compilePattern(e.value, e.at);
          return e.value;
        });
        table[list] = replace ? strings : [...table[list], ...strings];
      } else {
        throw new RuleError(at, `is not a Midjourney rule list (known: notices, errorColours, ${STRING_LISTS.join(', ')})`);
      }
    }
    const rules = compileMidjourneyRules(table, path);
    return () => {
      this.#current = rules;
    };
  }
}

export const midjourneyRuleBook = new MidjourneyRuleBook();
