/**
 * Simulated Pika bot (historical; spec §5.2 / useapi-compat §4.2), used from a DM channel.
 * A generation answers with a deferred response (nonce, type 20, flags LOADING, empty content),
 * edits it to "Queued" and then with progress (`MESSAGE_UPDATE`), and finally into the result: content
 * `<@user> Prompt: …  Author: <@user>`, an MP4 named from prompt + `seed<N>`, and 🔄 / 🔀 / ❌
 * buttons. 🔄 re-runs the job (a new type-19 reply to the clicked message), 🔀 opens a modal whose
 * submit runs it with the edited prompt, ❌ deletes the message. Each user may run a limited
 * number of generations at once; prompts containing banned words are refused as moderated.
 */
import type { Cdn } from '../cdn.ts';
import type { InteractionContext, SimBot } from '../interactions.ts';
import { sampleMp4 } from '../media/mp4.ts';
import type { ApplicationRecord, StoredFile, UserRecord, World } from '../state.ts';
import type { PikaTemplates } from '../types.ts';
import { fill, option, registerApplication } from './commands.ts';
import { mention } from './faceswap.ts';

export const PIKA_FONTS = ['MODERN', 'COMICS', 'SANS SERIF', 'BAUHAUS', 'RETRO'] as const;
const CAMERA = ['zoom in', 'zoom out', 'pan up', 'pan down', 'pan left', 'pan right', 'rotate cw', 'rotate ccw', 'rotate acw', 'rotate clockwise', 'rotate counterclockwise', 'rotate anticlockwise'];
const PROGRESS_STEPS = [25, 50, 75];

export const DEFAULT_PIKA_TEMPLATES: PikaTemplates = {
  moderated: '{user} Your prompt was flagged by our moderation system ("{word}"). Please try a different prompt.',
  tooManyJobs: '{user} You already have {limit} jobs in progress. Please wait for one to finish before starting another.',
  invalidParameter: '{user} Invalid parameter: {word}',
};

interface JobSpec {
  kind: 'create' | 'animate' | 'encrypt_text' | 'encrypt_image';
  prompt: string;
  message?: string;
  font?: string;
  image?: StoredFile;
  messageImage?: StoredFile;
}

export class PikaBot implements SimBot {
  readonly name = 'pika' as const;
  readonly exclusivePerChannel = false;
  readonly application: ApplicationRecord;
  templates: PikaTemplates = { ...DEFAULT_PIKA_TEMPLATES };
  bannedWords: string[] = [];
  private readonly jobs = new Map<string, JobSpec>();
  private readonly running = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly cdn: Cdn,
    public concurrency: number,
  ) {
    const image = (required = false) => option.attachment('image', 'image to start from', { required });
    this.application = registerApplication(world, {
      name: 'Pika',
      description: 'Create videos from text and images',
      commands: [
        { name: 'create', description: 'Generate a video from a prompt (and an image)', options: [option.string('prompt', 'describe the video', { required: true, max_length: 1500 }), image()] },
        { name: 'animate', description: 'Animate an image', options: [image(true), option.string('prompt', 'describe the motion', { max_length: 1500 })] },
        {
          name: 'encrypt_text',
          description: 'Hide a text in a video',
          options: [
            option.string('message', 'text to hide (up to 20 characters)', { required: true, max_length: 20 }),
            option.string('prompt', 'describe the video', { required: true, max_length: 1500 }),
            option.string('font', 'font of the text', { choices: PIKA_FONTS.map((f) => ({ name: f, value: f })) }),
            image(),
          ],
        },
        {
          name: 'encrypt_image',
          description: 'Hide an image in a video',
          options: [option.attachment('message', 'image to hide', { required: true }), option.string('prompt', 'describe the video', { required: true, max_length: 1500 }), image()],
        },
      ],
    });
  }

  async handle(ctx: InteractionContext): Promise<void> {
    const i = ctx.interaction;
    if (i.type === 2 && i.command) {
      const spec: JobSpec = { kind: i.command.name as JobSpec['kind'], prompt: String(i.options.get('prompt') ?? '').trim() };
      if (spec.kind === 'encrypt_text') {
        spec.message = String(i.options.get('message') ?? '');
        spec.font = String(i.options.get('font') ?? 'MODERN');
      }
      const image = i.files.get('image');
      if (image) spec.image = image;
      const hidden = spec.kind === 'encrypt_image' ? i.files.get('message') : undefined;
      if (hidden) spec.messageImage = hidden;
      return this.generate(ctx, spec);
    }
    const [, action, key] = (i.customId ?? '').split(':');
    const spec = key ? this.jobs.get(key) : undefined;
    if (!spec) return; // unknown button: no response → INTERACTION_FAILURE
    if (i.type === 3 && action === 'retry') return this.generate(ctx, spec);
    if (i.type === 3 && action === 'remix') {
      ctx.modal({
        custom_id: `pika:remix-modal:${key}`,
        title: 'Remix',
        components: [{ type: 1, components: [{ type: 4, custom_id: 'prompt', label: 'Prompt', style: 2, value: spec.prompt, required: true, max_length: 1500 }] }],
      });
      return;
    }
    if (i.type === 3 && action === 'delete') {
      if (ctx.deferUpdate() && i.message) ctx.delete(i.message);
      return;
    }
    if (i.type === 5 && action === 'remix-modal') return this.generate(ctx, { ...spec, prompt: (i.fields?.get('prompt') ?? spec.prompt).trim() });
  }

  /** Forgets running jobs of nobody in particular: used when the limit changes. */
  setConcurrency(limit: number): void {
    this.concurrency = Math.max(1, limit);
  }

  private async generate(ctx: InteractionContext, spec: JobSpec): Promise<void> {
    const user = ctx.user;
    const banned = this.bannedWords.find((w) => w && spec.prompt.toLowerCase().includes(w.toLowerCase()));
    if (banned) return void ctx.reply({ content: this.text('moderated', user, { word: banned }) });
    const parsed = parseParams(spec.prompt);
    if ('error' in parsed) return void ctx.reply({ content: this.text('invalidParameter', user, { word: parsed.error }) });
    const running = this.running.get(user.id) ?? 0;
    if (running >= this.concurrency) return void ctx.reply({ content: this.text('tooManyJobs', user, { limit: this.concurrency }), ephemeral: true });

    const headline = this.headline(spec, parsed.text, parsed.params);
    // A deferred response ("Pika is thinking…", flags LOADING) that the edits below fill in.
    const progress = ctx.defer();
    if (!progress) return;
    this.running.set(user.id, running + 1);
    try {
      ctx.editOriginal({ content: `${mention(user)} ${headline} — Queued` });
      for (const percent of PROGRESS_STEPS) {
        await ctx.delay();
        if (!ctx.alive) return;
        ctx.editOriginal({ content: `${mention(user)} ${headline} — Generating (${percent}%)` });
      }
      await ctx.delay();
      if (!ctx.alive) return;
      const seed = parsed.seed ?? this.world.random.digits(19);
      const base = this.nameBase(spec, parsed.text).slice(0, 80);
      const file = this.cdn.store('attachments', ctx.channel.id, `${base}_seed${seed}.mp4`, sampleMp4(), 'video/mp4');
      const key = progress.json.id;
      this.jobs.set(key, spec);
      ctx.editOriginal({
        content: `${mention(user)} ${headline}  Author: ${mention(user)}`,
        files: [file],
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 2, emoji: { name: '🔄' }, custom_id: `pika:retry:${key}` },
              { type: 2, style: 2, emoji: { name: '🔀' }, custom_id: `pika:remix:${key}` },
              { type: 2, style: 4, emoji: { name: '❌' }, custom_id: `pika:delete:${key}` },
            ],
          },
        ],
      });
    } finally {
      this.running.set(user.id, Math.max(0, (this.running.get(user.id) ?? 1) - 1));
    }
  }

  private headline(spec: JobSpec, text: string, params: string): string {
    const prompt = `Prompt: ${text}${params ? ` ${params}` : ''}`;
    if (spec.kind === 'encrypt_text') return `${prompt}  Message: ${spec.message} (Font: ${spec.font})`;
    if (spec.kind === 'encrypt_image') return `${prompt}  Message: 1 Attachment`;
    return spec.image ? `${prompt}  Image: 1 Attachment` : prompt;
  }

  /** Pika's file names: the prompt (and message/font) with parentheses dropped and non-alphanumerics as `_`. */
  private nameBase(spec: JobSpec, text: string): string {
    const source = spec.kind === 'encrypt_text' ? `${text}  Message: ${spec.message} (Font: ${spec.font})` : text || 'video';
    return source.replace(/[()]/g, '').replace(/[^A-Za-z0-9]/g, '_');
  }

  private text(key: keyof PikaTemplates, user: UserRecord, values: Record<string, string | number>): string {
    return fill(this.templates[key], { user: mention(user), ...values });
  }
}

/** Splits `-camera/-fps/-motion/-gs/-neg/-ar/-seed` parameters off a prompt and checks their ranges. */
export function parseParams(prompt: string): { text: string; params: string; seed?: string } | { error: string } {
  const at = prompt.search(/(^|\s)-{1,2}[a-z]+/i);
  const text = (at < 0 ? prompt : prompt.slice(0, at)).trim();
  const rest = at < 0 ? '' : prompt.slice(at).trim();
  const parts = rest.split(/\s+(?=-{1,2}[a-z])/i).filter(Boolean);
  let seed: string | undefined;
  for (const part of parts) {
    const [flag = '', ...words] = part.split(/\s+/);
    const value = words.join(' ');
    const name = flag.replace(/^-+/, '').toLowerCase();
    const number = Number(value);
    const ok =
      name === 'fps' ? Number.isInteger(number) && number >= 8 && number <= 24
      : name === 'motion' ? Number.isInteger(number) && number >= 0 && number <= 4
      : name === 'gs' ? value !== '' && Number.isFinite(number)
      : name === 'neg' ? value !== ''
      : name === 'ar' ? /^\d+:\d+$/.test(value)
      : name === 'seed' ? /^\d{1,20}$/.test(value)
      : name === 'camera' ? value.split(/\s*,\s*|\s+and\s+/).every((v) => CAMERA.includes(v.toLowerCase()))
      : name === 'size' ? Number.isFinite(number)
      : false;
    if (!ok) return { error: part };
    if (name === 'seed') seed = value;
  }
  return { text, params: parts.join(' '), ...(seed ? { seed } : {}) };
}
