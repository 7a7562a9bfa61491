/**
 * Reading one Midjourney bot message that correlation has already tied to a job (nonce,
 * interaction id, reply to the clicked message, job hash). Structure decides first:
 *
 * - an embed: the `/info` card, the describe card (description + image), or a notice read through
 *   the notice table (`rules.ts`, as the operator's rules file left it) by its title, else by its
 *   colour (red = error);
 * - a content line of the `**prompt** - …` shape: a percentage or `(Waiting to start)` is
 *   progress; an image attachment without either is the result (C.3: the *new* final message;
 *   the deleted progress message is not an event the job needs);
 * - the replies of `/fast`, `/relax`, `/turbo`, `/info` answer synchronous commands.
 *
 * What none of this recognises is `unknown`, kept for the operator, never guessed into a result.
 */
import { buttonNames, jobHash, cancelButton, hashOfCustomId } from './buttons.ts';
import { parseContent, type SpeedMode } from './content.ts';
import { midjourneyRuleBook, type MidjourneyRules } from './rule-book.ts';
import { noticeRule, type NoticeRule } from './rules.ts';

/** The fields of a Discord message this module reads. */
export interface BotMessage {
  id: string;
  content?: string | null;
  attachments?: readonly { filename?: string | null; content_type?: string | null; url?: string }[] | null;
  embeds?: readonly Record<string, unknown>[] | null;
  components?: unknown;
  flags?: number;
  message_reference?: { message_id?: string } | null;
}

/** The Midjourney commands a job step runs. */
export type MjCommand = 'imagine' | 'blend' | 'describe' | 'button' | 'info' | 'fast' | 'relax' | 'turbo';

export type Reading =
  | { kind: 'ignore'; why: string }
  /** Started or running: the start message, a progress edit (percentage, preview). */
  | { kind: 'progress'; percent?: number; mode?: SpeedMode; hash?: string; waiting?: boolean }
  /** Midjourney queued the job ("Job queued"): it will run later; keep tracking it. */
  | { kind: 'queued'; notice: string }
  /** The step's result: a grid, an image, the describe card, the info card, a mode confirmation. */
  | { kind: 'result'; mode?: SpeedMode; hash?: string; buttons: string[]; info?: InfoCard; prompts?: string[] }
  | { kind: 'failed'; error: string; code: number; retryable: boolean; rule?: string }
  | { kind: 'moderated'; error: string; code: number; rule?: string }
  /** A notice about the account: it needs a human (596 until reset) or cannot work at all. */
  | { kind: 'account'; effect: 'needs_human' | 'disabled'; error: string; code: number; jobStatus: 'failed' | 'moderated'; rule: string }
  /** From the bot and tied to the job, but not understood: shown to the operator, the job keeps waiting. */
  | { kind: 'unknown'; text: string };

/** What the `/info` card says (C.5). */
export interface InfoCard {
  fields: Record<string, string>;
  /** `Fast Time Remaining: 12.5/15.0 hours` → 12.5 and 15. */
  fastTimeRemaining?: { remaining: number; total: number };
  mode?: SpeedMode;
}

const IMAGE = /\.(png|jpe?g|webp|gif)$/i;

function hasImage(message: BotMessage): boolean {
  return (message.attachments ?? []).some((a) => (a.content_type ?? '').startsWith('image/') || IMAGE.test(a.filename ?? ''));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One line for the job's `error`: title and description of a notice, without mentions or markdown noise. */
function noticeText(embed: Record<string, unknown>): string {
  const title = str(embed.title).trim();
  const description = str(embed.description).replace(/<@!?\d+>/g, '').replace(/\s+/g, ' ').trim();
  return [title, description].filter(Boolean).join(': ') || 'Midjourney reported an error';
}

/** Reads the `**Key**: value` lines of the `/info` card. */
export function parseInfo(description: string, rules: MidjourneyRules = midjourneyRuleBook.current): InfoCard {
  const fields: Record<string, string> = {};
  for (const line of description.split('\n')) {
    const m = /^\s*\*\*([^*]+)\*\*\s*:\s*(.*)$/.exec(line);
    if (m) fields[m[1]!.trim()] = m[2]!.trim();
  }
  const card: InfoCard = { fields };
  const field = (keys: readonly string[]) => fields[keys.find((k) => fields[k] !== undefined) ?? ''] ?? '';
  const fast = /([\d.]+)\s*\/\s*([\d.]+)/.exec(field(rules.table.infoFastTimeKeys));
  if (fast) card.fastTimeRemaining = { remaining: Number(fast[1]), total: Number(fast[2]) };
  const mode = field(rules.table.infoJobModeKeys).toLowerCase();
  if (mode.startsWith('fast')) card.mode = 'fast';
  else if (mode.startsWith('relax')) card.mode = 'relaxed';
  else if (mode.startsWith('turbo')) card.mode = 'turbo';
  return card;
}

/** The describe card's suggestions (C.5): the description split on blank lines. */
export function describePrompts(description: string): string[] {
  return description
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

const COMMAND_MODE: Partial<Record<MjCommand, SpeedMode>> = { fast: 'fast', relax: 'relaxed', turbo: 'turbo' };

function readNotice(embed: Record<string, unknown>, rule: NoticeRule): Reading {
  const text = noticeText(embed);
  switch (rule.outcome) {
    case 'queued':
      return { kind: 'queued', notice: text };
    case 'moderated':
      return { kind: 'moderated', error: text, code: rule.code, rule: rule.id };
    case 'failed':
      return { kind: 'failed', error: text, code: rule.code, retryable: rule.retryable ?? false, rule: rule.id };
    case 'needs_human':
    case 'disabled':
      return { kind: 'account', effect: rule.outcome, error: text, code: rule.code, jobStatus: rule.jobModerated ? 'moderated' : 'failed', rule: rule.id };
  }
}

/**
 * Reads one bot message tied to a job whose current step runs `command`.
 * `rules`: the rules in force (the built-in tables, as the operator's rules file left them).
 */
export function readMessage(message: BotMessage, command: MjCommand, rules: MidjourneyRules = midjourneyRuleBook.current): Reading {
  const t = rules.table;
  const lower = (s: string) => s.toLowerCase();
  const content = (message.content ?? '').trim();
  const embeds = (message.embeds ?? []).filter((e) => e && e.type !== 'link');
  const embed = embeds.find((e) => str(e.title) !== '' || str(e.description) !== '' || typeof e.color === 'number');

  if (embed) {
    const title = str(embed.title);
    const colour = typeof embed.color === 'number' ? embed.color : undefined;
    const rule = noticeRule(title, rules.notices);
    if (rule) return readNotice(embed, rule);
    if (colour !== undefined && rules.errorColours.has(colour)) return { kind: 'failed', error: noticeText(embed), code: 422, retryable: false };
    if (command === 'info' && t.infoTitles.some((x) => lower(title).includes(lower(x)))) {
      return { kind: 'result', buttons: [], info: parseInfo(str(embed.description), rules) };
    }
    if (command === 'describe' && str(embed.description) !== '') {
      return { kind: 'result', buttons: buttonNames(message.components), prompts: describePrompts(str(embed.description)) };
    }
    if (t.errorTitleWords.some((w) => lower(title).includes(lower(w)))) return { kind: 'failed', error: noticeText(embed), code: 422, retryable: false };
  }

  if (t.skippedContents.includes(content)) return { kind: 'ignore', why: 'not a result' };
  if (t.failedContentPrefixes.some((p) => content.startsWith(p))) return { kind: 'failed', error: content.replace(/<@!?\d+>/g, '').trim(), code: 422, retryable: false };

  if (command === 'fast' || command === 'relax' || command === 'turbo') {
    if (t.modeReplyPrefixes.some((p) => content.startsWith(p))) return { kind: 'result', mode: COMMAND_MODE[command]!, buttons: [] };
    return content ? { kind: 'unknown', text: content } : { kind: 'ignore', why: 'empty' };
  }
  if (command === 'info') {
    // useapi's example shows the card's lines as `content`; either place is read.
    const card = parseInfo(embed ? str(embed.description) : content, rules);
    if (Object.keys(card.fields).length >= 2) return { kind: 'result', buttons: [], info: card };
    return content || embed ? { kind: 'unknown', text: content || noticeText(embed!) } : { kind: 'ignore', why: 'empty' };
  }

  const parsed = parseContent(content);
  const hash = jobHash(message) ?? hashOfCancel(message);
  if (parsed) {
    if (parsed.state === 'stopped') return { kind: 'failed', error: 'Midjourney stopped the job', code: 422, retryable: false };
    if (parsed.percent !== undefined || parsed.state === 'waiting' || parsed.state === 'paused') {
      return { kind: 'progress', ...(parsed.percent !== undefined ? { percent: parsed.percent } : {}), ...(parsed.mode ? { mode: parsed.mode } : {}), ...(hash ? { hash } : {}), ...(parsed.state === 'waiting' ? { waiting: true } : {}) };
    }
    if (hasImage(message) && command !== 'describe') return { kind: 'result', ...(parsed.mode ? { mode: parsed.mode } : {}), ...(hash ? { hash } : {}), buttons: buttonNames(message.components) };
    // A prompt line without a percentage or an image: the start message of an older bot.
    return { kind: 'progress', ...(parsed.mode ? { mode: parsed.mode } : {}) };
  }
  if (command === 'describe' && content === '' && embeds.length === 0) return { kind: 'progress' };
  if (content === '' && embeds.length === 0 && !hasImage(message)) return { kind: 'ignore', why: 'empty' };
  return { kind: 'unknown', text: content || (embed ? noticeText(embed) : '(attachment without text)') };
}

function hashOfCancel(message: BotMessage): string | undefined {
  const id = cancelButton(message.components);
  return id ? hashOfCustomId(id) : undefined;
}

/**
 * Whether an interaction's modal event is Midjourney's human check (C.10): an iframe modal titled
 * "Action required to continue", or one whose `iframe_path` is a captcha page. Vary (Region)'s
 * editor is an iframe modal with an `MJ::iframe::` id too, so the id alone proves nothing.
 */
export function isCaptchaModal(modal: Record<string, unknown>, rules: MidjourneyRules = midjourneyRuleBook.current): boolean {
  const title = str(modal.title).trim().toLowerCase();
  if (rules.table.captchaModalTitles.some((x) => title.startsWith(x.toLowerCase()))) return true;
  const path = str(modal.iframe_path);
  return path !== '' && rules.table.captchaIframePaths.some((p) => path.includes(p));
}
