/**
 * Reading InsightFaceSwap's messages. The bot's exact wording is not public and changes, so a
 * reply is classified by structure first (does it carry an image or video?) and by keywords
 * second — never by whole strings.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { Credits } from '../../store/index.ts';
import type { CommandStep, Verdict } from '../types.ts';

const ACKNOWLEDGED = /\b(command sent|processing|in (the )?queue|queued|please wait|working on)\b/i;
const SUBMITTED = /\bjob submitted\b/i;
const MODERATED = /\b(moderat\w*|nsfw|inappropriate|flagged)\b/i;
const FAILED = /\b(error|failed|fail|not found|no face|out of credits|no credits|not enough credits|invalid|unknown|cannot|can't|must|not allowed|at most|too many|exceed\w*|did not respond)\b/i;

export function hasMedia(message: DiscordMessage): boolean {
  return (message.attachments ?? []).some((a) => /^(image|video)\//.test(a.content_type ?? '') || /\.(png|jpe?g|gif|webp|mp4|webm)$/i.test(a.filename ?? ''));
}

export function interpretFaceswap(message: DiscordMessage, step: CommandStep): Verdict {
  const content = message.content ?? '';
  if (hasMedia(message)) return { kind: 'done' };
  if (SUBMITTED.test(content)) return { kind: 'submitted' };
  // Refusals before acknowledgements: "an error occurred while processing…" is an error.
  if (MODERATED.test(content)) return { kind: 'moderated', error: stripMentions(content) };
  if (FAILED.test(content)) return { kind: 'failed', error: stripMentions(content) };
  if (ACKNOWLEDGED.test(content)) return { kind: 'progress' };
  // A text command's answer is its text; a media command keeps waiting for its picture.
  return step.expects === 'text' && content.trim() !== '' ? { kind: 'done' } : { kind: 'progress' };
}

/** `[used: 18/50]` or `used 18 of 50`: the account's credit usage as the bot reports it. */
export function creditsFromMessage(message: DiscordMessage): Credits | undefined {
  const content = message.content ?? '';
  const match = /\[used:\s*(\d+)\s*\/\s*(\d+)\s*\]/i.exec(content) ?? /\bused\s+(\d+)\s+of\s+(\d+)\b/i.exec(content);
  if (!match) return undefined;
  return { timestamp: message.timestamp ?? new Date().toISOString(), used: Number(match[1]), total: Number(match[2]) };
}

function stripMentions(content: string): string {
  return content.replace(/<@!?\d+>/g, '').replace(/\s+/g, ' ').trim();
}
