/**
 * A bot message as the reply rules see it: its words (content and every embed's title,
 * description, fields and footer), its media (attachments and embed images/videos), and whether an
 * embed marks an error by its colour or title. Structure is read here once; wording is matched by
 * the rule tables (`reply-rules.ts`).
 */
import type { DiscordMessage } from '../../discord/index.ts';

export interface ReplyView {
  /** `content` without user mentions, whitespace collapsed. */
  content: string;
  /** The text of every embed (title, description, fields, footer), one part per line. */
  embedText: string;
  /** content and embed text together: what wording rules match against. */
  text: string;
  /** An attachment or embed image/video: a result. */
  hasMedia: boolean;
  /** A video attachment (Pika's results are videos). */
  hasVideo: boolean;
  /** The text of the embeds whose colour or title marks an error (empty when none). */
  errorEmbedText: string | undefined;
  /** Discord's "is thinking…" placeholder (a deferred response). */
  loading: boolean;
}

const LOADING = 1 << 7;
const MEDIA_FILE = /\.(png|jpe?g|gif|webp|avif|bmp|mp4|webm|mov|m4v)(\?|$)/i;
const VIDEO_FILE = /\.(mp4|webm|mov|m4v)(\?|$)/i;

type Embed = Record<string, unknown>;

export function stripMentions(text: string): string {
  return text
    .replace(/<@[!&]?\d+>/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .trim();
}

/** The readable text of one embed: title, author, description, fields, footer. */
export function embedText(embed: Embed): string {
  const parts: string[] = [];
  const push = (value: unknown) => {
    if (typeof value === 'string' && value.trim() !== '') parts.push(value.trim());
  };
  push(embed.title);
  push((embed.author as Embed | undefined)?.name);
  push(embed.description);
  for (const field of Array.isArray(embed.fields) ? (embed.fields as Embed[]) : []) {
    const name = typeof field?.name === 'string' ? field.name.trim() : '';
    const value = typeof field?.value === 'string' ? field.value.trim() : '';
    if (name || value) parts.push(name && value ? `${name}: ${value}` : name || value);
  }
  push((embed.footer as Embed | undefined)?.text);
  return stripMentions(parts.join('\n'));
}

/**
 * Red-family colours: red clearly dominant over green and blue (Discord's own red 0xED4245,
 * 0xE74C3C, 0xFF0000, dark red 0x992D22 …), not orange (0xE67E22) or pink-ish purple.
 */
export function isRedColour(colour: number): boolean {
  if (!Number.isInteger(colour) || colour < 0 || colour > 0xffffff) return false;
  const r = (colour >> 16) & 0xff;
  const g = (colour >> 8) & 0xff;
  const b = colour & 0xff;
  return r >= 0x90 && g <= 0x70 && b <= 0x70 && r - Math.max(g, b) >= 0x50;
}

function embedHasMedia(embed: Embed): boolean {
  const url = (key: string) => {
    const value = embed[key] as Embed | undefined;
    return typeof value?.url === 'string' || typeof value?.proxy_url === 'string';
  };
  // An embed's `image` or `video` is content; a `thumbnail` is decoration (an avatar, a logo).
  return url('image') || url('video') || (embed.type === 'image' || embed.type === 'gifv' || embed.type === 'video' ? url('thumbnail') || typeof embed.url === 'string' : false);
}

export function viewOf(message: DiscordMessage, isErrorEmbed: (embed: Embed, text: string) => boolean): ReplyView {
  const content = stripMentions(message.content ?? '');
  const embeds = Array.isArray(message.embeds) ? message.embeds.filter((e): e is Embed => !!e && typeof e === 'object') : [];
  const texts = embeds.map(embedText);
  const attachments = message.attachments ?? [];
  const mediaAttachment = (a: (typeof attachments)[number]) => /^(image|video)\//.test(a.content_type ?? '') || MEDIA_FILE.test(a.filename ?? '');
  const videoAttachment = (a: (typeof attachments)[number]) => (a.content_type ?? '').startsWith('video/') || VIDEO_FILE.test(a.filename ?? '');
  const errorTexts = embeds.flatMap((embed, i) => (isErrorEmbed(embed, texts[i]!) ? [texts[i]!] : []));
  const joinedEmbeds = texts.filter(Boolean).join('\n');
  return {
    content,
    embedText: joinedEmbeds,
    text: [content, joinedEmbeds].filter(Boolean).join('\n'),
    hasMedia: attachments.some(mediaAttachment) || embeds.some(embedHasMedia),
    hasVideo: attachments.some(videoAttachment) || embeds.some((e) => typeof (e.video as Embed | undefined)?.url === 'string'),
    errorEmbedText: errorTexts.length > 0 ? errorTexts.join('\n') : undefined,
    loading: ((message.flags ?? 0) & LOADING) !== 0,
  };
}
