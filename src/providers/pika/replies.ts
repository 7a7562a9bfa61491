/**
 * Reading Pika's messages through its rule table (`rules.ts`): a deferred "thinking" reply,
 * edited through progress into the final message with an MP4 and its buttons. Structure first
 * (video, red embeds), wording second.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import { classify, readMessage, RuleBook } from '../shared/reply-rules.ts';
import type { CommandStep, Verdict } from '../types.ts';
import { pikaRules } from './rules.ts';

/**
 * The buttons useapi exposes in a job's `buttons`, by what the bot shows on them. useapi supports
 * only `retry` (🔀 remix opens a form and ❌ deletes the video), so only that one is listed.
 */
const BUTTON_NAMES: [RegExp, string][] = [[/🔄|\bretry\b|reroll|redo/i, 'retry']];
export const SUPPORTED_BUTTONS = BUTTON_NAMES.map(([, name]) => name);

export function buttonName(label: string): string | undefined {
  return BUTTON_NAMES.find(([pattern]) => pattern.test(label))?.[1];
}

export const pikaRuleBook = new RuleBook('pika', pikaRules);

export function interpretPika(message: DiscordMessage, step: CommandStep): Verdict {
  const verdict = classify(pikaRuleBook.current, message, step);
  // Pika's results are videos: a still image (a preview) is progress, not the result.
  if (verdict.kind === 'done' && step.expects === 'media' && !readMessage(pikaRuleBook.current, message).hasVideo) return { kind: 'progress' };
  if (verdict.kind === 'failed' && verdict.tooManyJobs) return { ...verdict, error: `Pika refused the job: ${verdict.error}. Lower maxJobs for this account.` };
  return verdict;
}
