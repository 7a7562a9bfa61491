/**
 * Reading the Midjourney bot's one-line message contents (midjourney.md C.3, C.4):
 *
 *     **<prompt>** - <@user> (Waiting to start)
 *     **<prompt>** - <@user> (31%) (fast)
 *     **<prompt>** - <@user> (relaxed, stealth)
 *     **<prompt>** - Image #2 <@user>
 *     **<prompt>** - Upscaled (Subtle) by <@user> (fast)
 *     **<prompt>** - Variations (Strong) by <@user> (turbo)
 *     **<prompt>** - <@user> [(Open on website for full quality)](<https://midjourney.com/jobs/…>) (fast)
 *
 * Only the shape is relied on: the prompt between the first `**` and the last `** - `, a user
 * mention, parenthesised groups of which the last may be the speed mode and one may be a
 * percentage. The words before `by <@user>` only say which action produced the message; when they
 * change, a result still reads as a result.
 */

export type SpeedMode = 'fast' | 'relaxed' | 'turbo';

/** Which action produced a result, from the words between the prompt and the mention. */
export type ContentAction = 'imagine' | 'pick' | 'upscale' | 'variation' | 'pan' | 'zoom';

export interface ParsedContent {
  /** The echoed prompt (as the bot rewrote it). */
  prompt: string;
  /** The user the message mentions. */
  userId?: string;
  /** `(NN%)`. */
  percent?: number;
  /** The last parenthesis when it names a speed mode. */
  mode?: SpeedMode;
  stealth?: boolean;
  /** `(Waiting to start)`, `(Stopped)`, `(paused)`: a state instead of a percentage. */
  state?: 'waiting' | 'stopped' | 'paused';
  action: ContentAction;
  /** `Image #N` (a picked image of a grid). */
  imageIndex?: number;
  /** The variant in `Upscaled (Subtle)`, `Variations (Strong)`, `Pan Left` …. */
  variant?: string;
  remix?: boolean;
}

/** Markdown links `[(text)](<url>)` as their text, so their parentheses read like the others. */
function unlink(text: string): string {
  return text.replace(/\[([^\]]*)\]\(<?[^)>]*>?\)/g, '$1');
}

const MODE = /^(fast|relax|relaxed|turbo)(\s*,\s*stealth)?$/i;

/** Parses a bot content line; undefined when it does not have the `**prompt** - …` shape. */
export function parseContent(content: string | null | undefined): ParsedContent | undefined {
  if (!content) return undefined;
  const start = content.indexOf('**');
  const end = content.lastIndexOf('** - ');
  if (start < 0 || end < start) return undefined;
  const prompt = content.slice(start + 2, end);
  const tail = unlink(content.slice(end + 5));
  const out: ParsedContent = { prompt, action: 'imagine' };
  const user = /<@!?(\d+)>/.exec(tail);
  if (user) out.userId = user[1]!;
  const groups = [...tail.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!.trim());
  for (const group of groups) {
    const percent = /^(\d{1,3})%$/.exec(group);
    if (percent) out.percent = Number(percent[1]);
    else if (/^waiting to start$/i.test(group)) out.state = 'waiting';
    else if (/^stopped$/i.test(group)) out.state = 'stopped';
    else if (/^paused$/i.test(group)) out.state = 'paused';
  }
  const last = groups.at(-1);
  const mode = last ? MODE.exec(last) : null;
  if (mode) {
    out.mode = mode[1]!.toLowerCase() === 'turbo' ? 'turbo' : mode[1]!.toLowerCase() === 'fast' ? 'fast' : 'relaxed';
    if (mode[2]) out.stealth = true;
  }
  // The words before the mention (or before "by <@…>") name the action.
  const words = tail.slice(0, user ? user.index : tail.length).trim();
  const image = /Image #([1-4])/.exec(words);
  if (image) {
    out.action = 'pick';
    out.imageIndex = Number(image[1]);
    return out;
  }
  const variant = /\(([^()]+)\)\s*by$/.exec(words)?.[1] ?? /^Pan (\w+)/.exec(words)?.[1];
  if (variant) out.variant = variant;
  if (/^Upscal(ed|ing)\b/i.test(words)) out.action = /^Upscaled by$/i.test(words) ? 'pick' : 'upscale';
  else if (/^(Variations|Remix)\b/i.test(words)) {
    out.action = 'variation';
    if (/^Remix/i.test(words)) out.remix = true;
  } else if (/^Pan\b/i.test(words)) out.action = 'pan';
  else if (/^Zoom Out\b/i.test(words)) out.action = 'zoom';
  return out;
}

/**
 * A prompt for matching (C.3, C.6): the bot appends parameters and rewrites links, so both sides
 * drop the `--params` (always last; iOS may turn `--` into `—`), reduce every link to one placeholder, fold case and spacing.
 */
export function normalisePrompt(prompt: string): string {
  return prompt
    .replace(/(^|\s)(--|—)[a-z][\s\S]*$/i, ' ')
    .replace(/<?https?:\/\/[^\s>]+>?/gi, ' <link> ')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Whether a prompt the bot echoed is the prompt that was sent. */
export function samePrompt(echoed: string, sent: string): boolean {
  return normalisePrompt(echoed) === normalisePrompt(sent);
}
