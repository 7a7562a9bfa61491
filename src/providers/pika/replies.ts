/**
 * Reading Pika's messages: a deferred "thinking" reply, edited through queued / generating (N%)
 * into the final message with an MP4 and its buttons. Classified by structure first, keywords
 * second.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { CommandStep, Verdict } from '../types.ts';

const LOADING = 1 << 7;
const MODERATED = /\b(moderat\w*|flagged|nsfw|inappropriate|violates?)\b/i;
const TOO_MANY = /\b(already have \d+ jobs?|too many jobs|jobs? in progress)\b/i;
const FAILED = /\b(error|failed|invalid|cannot|can't|not allowed|unknown)\b/i;

/**
 * The buttons useapi exposes in a job's `buttons`, by what the bot shows on them. useapi supports
 * only `retry` (🔀 remix opens a form and ❌ deletes the video), so only that one is listed.
 */
const BUTTON_NAMES: [RegExp, string][] = [[/🔄|\bretry\b|reroll|redo/i, 'retry']];
export const SUPPORTED_BUTTONS = BUTTON_NAMES.map(([, name]) => name);

export function buttonName(label: string): string | undefined {
  return BUTTON_NAMES.find(([pattern]) => pattern.test(label))?.[1];
}

function hasVideo(message: DiscordMessage): boolean {
  return (message.attachments ?? []).some((a) => (a.content_type ?? '').startsWith('video/') || /\.(mp4|webm|mov)$/i.test(a.filename ?? ''));
}

export function interpretPika(message: DiscordMessage, _step: CommandStep): Verdict {
  const content = message.content ?? '';
  if (hasVideo(message)) return { kind: 'done' };
  const text = content.replace(/<@!?\d+>/g, '').replace(/\s+/g, ' ').trim();
  if (MODERATED.test(content)) return { kind: 'moderated', error: text };
  if (TOO_MANY.test(content)) return { kind: 'failed', error: `Pika refused the job: ${text}. Lower maxJobs for this account.` };
  if (FAILED.test(content)) return { kind: 'failed', error: text };
  const percent = /(\d{1,3})\s*%/.exec(content);
  if ((message.flags ?? 0) & LOADING || content.trim() === '' || percent || /\b(queued|generating|in queue|thinking)\b/i.test(content)) {
    return percent ? { kind: 'progress', percent: Number(percent[1]) } : { kind: 'progress' };
  }
  return { kind: 'progress' };
}
