/**
 * Simulated Midjourney bot, answering in the user's DM channel with it, shaped after the real
 * bot's lifecycle as public code saw it (midjourney.md Part C):
 *
 * - `/imagine`, `/blend`: the interaction response is the start message
 *   `**<prompt>** - <@user> (Waiting to start)` (with the nonce), edited with `(NN%) (<mode>)`, a
 *   low-resolution preview and a red Cancel Job button; then a **new** message with the 2×2 grid it
 *   draws and the U1–U4 / V1–V4 / 🔄 buttons (real-format `custom_id`s), and the progress message is
 *   deleted. The prompt is echoed rewritten (a `--v` parameter appended, image links shortened).
 * - U1–U4 answer with a reply to the grid, `**<prompt>** - Image #N <@user>`, carrying the upscale
 *   buttons (Upscale, Vary, Zoom Out, Custom Zoom, pans). V1–V4, 🔄, Vary, pans and zooms make
 *   new grids; with remix mode on they first open the remix modal, as Custom Zoom always does.
 * - `/describe` fills its deferred response with an embed of four suggested prompts.
 * - `/info`, `/fast`, `/relax`, `/turbo`: the info card and the "Done! …" replies; the speed mode
 *   shows in every result's last parenthesis.
 * - Over the concurrency limit a job is answered with the "Job queued" embed and runs later (a
 *   full queue answers "Queue full"); banned words get a red "Banned prompt detected" embed; the
 *   "Action needed to continue", pending-moderation and CAPTCHA notices are switched on per user.
 *
 * Texts are the formats quoted in Part C where known; descriptions the spec does not quote are
 * invented and never relied on by switchboard's rules.
 */
import type { Cdn } from '../cdn.ts';
import type { InteractionContext, SimBot } from '../interactions.ts';
import type { Messages, NewMessage } from '../messages.ts';
import type { ApplicationRecord, ChannelRecord, MessageRecord, StoredFile, UserRecord, World } from '../state.ts';
import type { MidjourneyUserSettings } from '../types.ts';
import { encodePng, type Rgb } from '../../shared/png.ts';
import { option, registerApplication } from './commands.ts';

/** The real bot's application id = bot user id (midjourney.md C.1). */
export const MIDJOURNEY_APPLICATION_ID = '936929561302675456';

export type MidjourneyMode = 'fast' | 'relaxed' | 'turbo';

/** Switches that change how the bot answers, as the real bot did at different times (Part C). */
export interface MidjourneyStyle {
  /** Since ~May 2025 the final message carries the nonce too (C.3, ISS zcpua#292). Default true. */
  finalNonce: boolean;
  /** `current`: `Image #N`, "Job queued", the "Open on website" link; `legacy`: `Upscaled by`, "Your job will start shortly". */
  wording: 'current' | 'legacy';
  /** The bot deletes the progress message after posting the result (C.3). Default true. */
  deleteProgress: boolean;
}

/** One user's Midjourney state: the same shape the control API reads and sets. */
export type MidjourneyUserState = MidjourneyUserSettings;

/** What a grid or image message was made from: buttons on it look it up by its job hash. */
interface Job {
  hash: string;
  prompt: string;
  userId: string;
  kind: 'grid' | 'image';
  /** For images: which quadrant of which grid. */
  index?: number;
  seed: number;
}

type Action =
  | { kind: 'imagine'; prompt: string; label: string; reference?: MessageRecord; seed: number }
  | { kind: 'upscale'; job: Job; variant: 'Subtle' | 'Creative'; reference: MessageRecord };

const GRID_SIZE = 256;
const PROGRESS_STEPS = [0, 31, 62, 93];
const FAST_HOURS_PER_JOB = { fast: 0.02, relaxed: 0, turbo: 0.04 } as const;
const RED = 0xff0000;
const AMBER = 0xf7cb73;
const GREEN = 0x00ff00;

export class MidjourneyBot implements SimBot {
  readonly name = 'midjourney' as const;
  readonly exclusivePerChannel = false;
  readonly application: ApplicationRecord;
  style: MidjourneyStyle = { finalNonce: true, wording: 'current', deleteProgress: true };
  /** Jobs one user runs at once, and how many more wait (MJFAQ: 3 and 10). */
  concurrency = 3;
  queueSize = 10;
  bannedWords: string[] = [];
  /** Prompts with one of these words get the "Action needed to continue" notice. */
  doubtfulWords: string[] = [];
  private readonly users = new Map<string, MidjourneyUserState>();
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly cancelled = new Set<string>();
  private failNext: { count: number; title: string } | undefined;

  constructor(
    private readonly world: World,
    private readonly cdn: Cdn,
    private readonly messages: Messages,
  ) {
    const images = [1, 2, 3, 4, 5].map((n) => option.attachment(`image${n}`, `image ${n}`, { required: n <= 2 }));
    this.application = registerApplication(world, {
      id: MIDJOURNEY_APPLICATION_ID,
      name: 'Midjourney Bot',
      description: 'Create images with Midjourney',
      commands: [
        { name: 'imagine', description: 'Create images with Midjourney', options: [option.string('prompt', 'The prompt to imagine', { required: true })] },
        {
          name: 'blend',
          description: 'Blend images together seamlessly!',
          options: [...images, option.string('dimensions', 'The dimensions of the image', { choices: [{ name: 'Portrait', value: '--ar 2:3' }, { name: 'Square', value: '--ar 1:1' }, { name: 'Landscape', value: '--ar 3:2' }] })],
        },
        { name: 'describe', description: 'Writes a prompt based on your image.', options: [option.attachment('image', 'The image to describe'), option.string('link', 'A link to the image to describe')] },
        { name: 'info', description: 'View information about your profile.' },
        { name: 'fast', description: 'Switch to fast mode' },
        { name: 'relax', description: 'Switch to relax mode' },
        { name: 'turbo', description: 'Switch to turbo mode' },
      ],
    });
  }

  /** A user's account state with the bot (created on first use). */
  user(userId: string): MidjourneyUserState {
    let state = this.users.get(userId);
    if (!state) {
      state = { mode: 'fast', remix: false, fastHoursTotal: 15, fastHoursUsed: 0, pendingModeration: false, captcha: false, peakRunning: 0, queuedJobs: 0 };
      this.users.set(userId, state);
    }
    return state;
  }

  /** The next `count` generations end with a red error embed of this title. */
  failNextJobs(count: number, title = 'Invalid parameter'): void {
    this.failNext = count > 0 ? { count, title } : undefined;
  }

  private takeFailure(): string | undefined {
    const failure = this.failNext;
    if (!failure) return undefined;
    if (--failure.count <= 0) this.failNext = undefined;
    return failure.title;
  }

  async handle(ctx: InteractionContext): Promise<void> {
    const i = ctx.interaction;
    const state = this.user(ctx.user.id);
    if (state.captcha) return this.captcha(ctx, state);
    if (i.type === 3 && i.customId?.startsWith('MJ::Pending::Acknowledge')) {
      state.pendingModeration = false;
      return void ctx.reply({ content: 'Thank you for acknowledging. You may continue using Midjourney.', ephemeral: true });
    }
    if (state.pendingModeration) {
      return void ctx.reply({
        embeds: [{ type: 'rich', title: 'Pending mod message', description: 'You have a pending moderation message. Please acknowledge it before using the bot further.', color: RED }],
        components: [row(button('Acknowledge', 'MJ::Pending::Acknowledge::1', 3), button('Resubmit', 'MJ::Pending::Resubmit::1', 2))],
        ephemeral: true,
      });
    }
    if (i.type === 2) return this.command(ctx, state);
    if (i.type === 3) return this.click(ctx, state);
    if (i.type === 5) return this.submit(ctx);
  }

  private async command(ctx: InteractionContext, state: MidjourneyUserState): Promise<void> {
    const i = ctx.interaction;
    switch (i.command?.name) {
      case 'imagine':
        return this.generate(ctx, state, { kind: 'imagine', prompt: String(i.options.get('prompt') ?? '').trim(), label: '', seed: this.world.random.int(1, 1_000_000) });
      case 'blend': {
        const files = [1, 2, 3, 4, 5].flatMap((n) => i.files.get(`image${n}`) ?? []);
        if (new Set(files.map((f) => f.bytes.toString('base64'))).size < files.length) {
          return void ctx.reply({ embeds: [{ type: 'rich', title: 'Duplicate images detected', description: 'Please use different images.', color: RED }] });
        }
        const links = files.map(() => `<https://s.mj.run/${this.world.random.hex(11)}>`).join(' ');
        const dimensions = String(i.options.get('dimensions') ?? '--ar 1:1');
        return this.generate(ctx, state, { kind: 'imagine', prompt: `${links} ${dimensions}`, label: '', seed: files.reduce((s, f) => s + f.bytes.length, 7) });
      }
      case 'describe':
        return this.describe(ctx);
      case 'info':
        return void ctx.reply({ embeds: [{ type: 'rich', title: `Your info - ${ctx.user.username}`, description: this.info(ctx.user, state), color: GREEN }], ephemeral: true });
      case 'fast':
      case 'relax':
      case 'turbo': {
        const name = i.command.name;
        state.mode = name === 'relax' ? 'relaxed' : name;
        const text =
          name === 'relax'
            ? 'Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with /fast'
            : 'Done! Note that once you exhaust your fast hours, you can purchase more on the website: <https://midjourney.com/account>. To conserve your fast hours, use `/relax`';
        return void ctx.reply({ content: text, ephemeral: true });
      }
    }
  }

  private async click(ctx: InteractionContext, state: MidjourneyUserState): Promise<void> {
    const i = ctx.interaction;
    const id = i.customId ?? '';
    const clicked = i.message!;
    if (id.startsWith('MJ::CancelJob::ByJobid::')) {
      this.cancelled.add(id.split('::')[3] ?? '');
      return void ctx.deferUpdate();
    }
    if (id.startsWith('MJ::Prompts::Appeal::')) return void ctx.reply({ content: 'Your appeal was received.', ephemeral: true });
    const picReader = /^MJ::Job::PicReader::([1-4])$/.exec(id);
    if (picReader) {
      const suggestion = describeSuggestions(clicked)[Number(picReader[1]) - 1] ?? '';
      return void ctx.modal({ custom_id: `MJ::Picreader::Modal::${picReader[1]}`, title: 'Imagine This!', components: [textInput('MJ::Picreader::Modal::PromptField', 'Prompt', suggestion)] });
    }
    const parts = id.split('::');
    const hash = parts.find((p) => /^[0-9a-f]{8}-/.test(p)) ?? '';
    const job = this.jobs.get(hash);
    if (!job) return; // unknown button: no answer → INTERACTION_FAILURE, as Discord shows it
    const seed = this.world.random.int(1, 1_000_000);
    const n = Number(parts[3] ?? '1');
    // MJ::JOB::<action>::<n>::<hash>[::SOLO], MJ::Outpaint::<50|75>::1::<hash>::SOLO, MJ::CustomZoom::<hash>
    const action = parts[1] === 'JOB' ? parts[2]! : parts[1]!;
    if (action === 'upsample') return this.pick(ctx, job, n);
    if (/^upsample_v\w+_2x_(subtle|creative)(_redo)?$/.test(action)) return this.generate(ctx, state, { kind: 'upscale', job, variant: action.includes('creative') ? 'Creative' : 'Subtle', reference: clicked });
    if (action === 'CustomZoom') {
      return void ctx.modal({ custom_id: `MJ::OutpaintCustomZoomModal::${hash}`, title: 'Zoom Out', components: [textInput('MJ::OutpaintCustomZoomModal::prompt', 'Prompt', `${job.prompt} --zoom 2`)] });
    }
    const remixable = ['variation', 'low_variation', 'high_variation', 'reroll'].includes(action) || action.startsWith('pan_');
    if (remixable && state.remix) {
      if (action === 'reroll') return void ctx.modal({ custom_id: `MJ::ImagineModal::${clicked.json.id}`, title: 'Imagine This!', components: [textInput('MJ::ImagineModal::new_prompt', 'Prompt', job.prompt)] });
      if (action.startsWith('pan_')) return void ctx.modal({ custom_id: `MJ::PanModal::${action.slice(4)}::${hash}::${n}`, title: 'Pan', components: [textInput('MJ::PanModal::prompt', 'Prompt', job.prompt)] });
      const strong = action === 'low_variation' ? 0 : 1;
      return void ctx.modal({ custom_id: `MJ::RemixModal::${hash}::${action === 'variation' ? n : 1}::${strong}`, title: 'Remix Prompt', components: [textInput('MJ::RemixModal::new_prompt', 'Prompt', job.prompt)] });
    }
    const label = this.labelFor(action, parts[2], false);
    if (label === undefined) return;
    return this.generate(ctx, state, { kind: 'imagine', prompt: job.prompt, label, reference: clicked, seed });
  }

  /** Modal submits: the remix, pan, reroll, custom zoom and describe → imagine dialogs. */
  private async submit(ctx: InteractionContext): Promise<void> {
    const i = ctx.interaction;
    const id = i.customId ?? '';
    const state = this.user(ctx.user.id);
    const prompt = [...(i.fields?.values() ?? [])][0]?.trim() ?? '';
    const seed = this.world.random.int(1, 1_000_000);
    const parts = id.split('::');
    let label = '';
    // MJ::RemixModal::<hash>::<N>::<0|1>: on an upscaled image it is Vary (Subtle = 0 / Strong = 1).
    if (id.startsWith('MJ::RemixModal::')) label = this.jobs.get(parts[2] ?? '')?.kind === 'image' ? (parts[4] === '0' ? 'Remix (Subtle) by' : 'Remix (Strong) by') : 'Remix by';
    else if (id.startsWith('MJ::PanModal::')) label = `Pan ${capitalise(parts[2] ?? '')} by`;
    else if (id.startsWith('MJ::OutpaintCustomZoomModal::')) label = 'Zoom Out by';
    else if (!id.startsWith('MJ::ImagineModal::') && !id.startsWith('MJ::Picreader::Modal::')) return;
    return this.generate(ctx, state, { kind: 'imagine', prompt, label, ...(i.message ? { reference: i.message } : {}), seed });
  }

  /** The words between the prompt and the mention for each button action (C.4). */
  private labelFor(action: string, outpaint: string | undefined, remix: boolean): string | undefined {
    const v = remix ? 'Remix' : 'Variations';
    if (action === 'variation') return `${v} by`;
    if (action === 'low_variation') return `${v} (Subtle) by`;
    if (action === 'high_variation') return `${v} (Strong) by`;
    if (action === 'reroll') return '';
    if (action.startsWith('pan_')) return `Pan ${capitalise(action.slice(4))} by`;
    if (action === 'Outpaint' && (outpaint === '50' || outpaint === '75')) return 'Zoom Out by';
    return undefined;
  }

  /** U1–U4: one quadrant of the grid, as a reply to it, with the upscale buttons. */
  private pick(ctx: InteractionContext, grid: Job, index: number): void {
    const hash = this.world.random.uuid();
    const job: Job = { hash, prompt: grid.prompt, userId: ctx.user.id, kind: 'image', index, seed: grid.seed };
    this.jobs.set(hash, job);
    const file = this.cdn.store('attachments', ctx.channel.id, `${this.fileBase(ctx.user, grid.prompt)}_${hash}.png`, drawImage(grid.seed, index), 'image/png');
    const mode = this.user(ctx.user.id).mode;
    const content = this.style.wording === 'legacy' ? `**${grid.prompt}** - Upscaled by ${mention(ctx.user)} (${mode})` : `**${grid.prompt}** - Image #${index} ${mention(ctx.user)}`;
    ctx.reply({ content, files: [file], components: upscaleButtons(hash) });
  }

  /** The start → progress → new result → delete lifecycle shared by every generation. */
  private async generate(ctx: InteractionContext, state: MidjourneyUserState, action: Action): Promise<void> {
    const user = ctx.user;
    const prompt = action.kind === 'imagine' ? action.prompt : action.job.prompt;
    const banned = this.bannedWords.find((w) => w && prompt.toLowerCase().includes(w.toLowerCase()));
    if (banned) {
      return void ctx.reply({ embeds: [{ type: 'rich', title: 'Banned prompt detected', description: `The word \`${banned}\` is banned. Circumventing this filter to violate our rules may result in your access being revoked.`, color: RED, footer: { text: `/imagine ${prompt}` } }] });
    }
    const doubtful = this.doubtfulWords.find((w) => w && prompt.toLowerCase().includes(w.toLowerCase()));
    if (doubtful) {
      return void ctx.reply({
        embeds: [{ type: 'rich', title: 'Action needed to continue', description: 'Sorry! Our AI moderators feel your prompt might be against our community standards. If you think this is a mistake, please press the "Appeal" button below and we will send it to a more sophisticated AI moderator to double-check the result.', color: RED }],
        components: [row(button('Appeal', `MJ::Prompts::Appeal::${this.world.random.hex(16)}`, 1))],
        ephemeral: true,
      });
    }
    if (prompt === '' && action.kind === 'imagine' && action.label === '' && !ctx.interaction.files.size) {
      return void ctx.reply({ embeds: [{ type: 'rich', title: 'Empty prompt', description: 'Please provide a prompt.', color: RED }] });
    }
    const mode = state.mode;
    if (mode !== 'relaxed' && state.fastHoursUsed + FAST_HOURS_PER_JOB[mode] > state.fastHoursTotal) {
      return void ctx.reply({ embeds: [{ type: 'rich', title: 'Credits exhausted', description: 'You have run out of fast hours. Use /relax or buy more.', color: RED }] });
    }
    const echo = action.kind === 'imagine' ? this.echo(prompt) : prompt;
    const hash = this.world.random.uuid();
    const head = (status: string) => {
      const label = action.kind === 'upscale' ? (status.includes('%') || status.includes('Waiting') ? 'Upscaling by' : `Upscaled (${action.variant}) by`) : action.label;
      return `**${echo}** - ${label ? `${label} ` : ''}${mention(user)} ${status}`;
    };

    // Over the limit: "Job queued", and the job starts when a slot frees (C.9).
    let start: MessageRecord | undefined;
    const running = this.running.get(user.id) ?? 0;
    if (running >= this.concurrency) {
      const queue = this.waiting.get(user.id) ?? [];
      if (queue.length >= this.queueSize) return void ctx.reply({ embeds: [{ type: 'rich', title: 'Queue full', description: 'You have too many jobs queued. Please wait for some to finish.', color: RED }] });
      const title = this.style.wording === 'legacy' ? 'Your job will start shortly' : 'Job queued';
      state.queuedJobs++;
      if (!ctx.reply({ embeds: [{ type: 'rich', title, description: "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start as soon as another one finishes!", color: AMBER, footer: { text: `/imagine ${prompt}` } }] })) return;
      await new Promise<void>((resolve) => this.waiting.set(user.id, [...queue, resolve]));
      if (!ctx.alive) return this.release(user.id);
      start = this.post(ctx, { content: head('(Waiting to start)') }, { nonce: false });
    } else {
      this.running.set(user.id, running + 1);
      state.peakRunning = Math.max(state.peakRunning, running + 1);
      start = ctx.reply({ content: head('(Waiting to start)') });
    }
    if (!start) return this.release(user.id);
    const progress = start;
    try {
      const failure = this.takeFailure();
      for (const percent of PROGRESS_STEPS) {
        await ctx.delay(mode === 'relaxed' ? 2 : 1);
        if (!ctx.alive) return;
        if (this.cancelled.delete(hash)) return void this.edit(ctx.channel, progress, { content: head('(Stopped)'), components: [] });
        if (failure && percent > 0) break;
        const preview = this.cdn.store('attachments', ctx.channel.id, `${hash}_grid_0.png`, drawGrid(seedOf(action), 32), 'image/png');
        this.edit(ctx.channel, progress, { content: head(`(${percent}%) (${mode})`), files: [preview], components: [row(button('Cancel Job', `MJ::CancelJob::ByJobid::${hash}`, 4))] });
      }
      if (failure) {
        this.post(ctx, { embeds: [{ type: 'rich', title: failure, description: 'Something went wrong with this job.', color: RED, footer: { text: `/imagine ${prompt}` } }] }, { nonce: true });
        if (this.style.deleteProgress) this.messages.delete(ctx.channel, progress);
        return;
      }
      await ctx.delay();
      if (!ctx.alive) return;
      state.fastHoursUsed += FAST_HOURS_PER_JOB[mode];
      const upscale = action.kind === 'upscale';
      const job: Job = { hash, prompt: echo, userId: user.id, kind: upscale ? 'image' : 'grid', seed: seedOf(action) };
      this.jobs.set(hash, job);
      const bytes = upscale ? drawImage(job.seed, action.job.index ?? 1, GRID_SIZE * 2) : drawGrid(job.seed, GRID_SIZE);
      const file = this.cdn.store('attachments', ctx.channel.id, `${this.fileBase(user, prompt)}_${hash}.png`, bytes, 'image/png');
      const web = this.style.wording === 'current' && !upscale ? `[(Open on website for full quality)](<https://midjourney.com/jobs/${hash}>) ` : '';
      const content = upscale ? head(`(${mode})`) : head(`${web}(${mode})`);
      this.post(ctx, { content, files: [file], components: upscale ? upscaleButtons(hash, true) : gridButtons(hash) }, { nonce: this.style.finalNonce, ...(action.reference ? { reference: action.reference } : {}) });
      if (this.style.deleteProgress) this.messages.delete(ctx.channel, progress);
    } finally {
      this.release(user.id);
    }
  }

  /** `/describe`: a deferred response filled with four suggestions and the input image. */
  private async describe(ctx: InteractionContext): Promise<void> {
    const i = ctx.interaction;
    const image = i.files.get('image');
    const link = i.options.get('link');
    if (!image && !link) return void ctx.reply({ embeds: [{ type: 'rich', title: 'Invalid link', description: 'Please provide an image or a link.', color: RED }] });
    if (!ctx.defer()) return;
    await ctx.delay(2);
    if (!ctx.alive) return;
    const words = ['a fox', 'a lighthouse', 'a city at night', 'a bowl of fruit', 'a mountain lake'];
    const pick = (n: number) => words[(n + (image?.bytes.length ?? String(link).length)) % words.length]!;
    const keycaps = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];
    const description = keycaps.map((k, n) => `${k} ${pick(n)}, in the style of a simulated painting --ar 1:1`).join('\n\n');
    const imageUrl = image ? this.cdn.attachmentJson(image).url : String(link);
    ctx.editOriginal({
      embeds: [{ type: 'rich', description, image: { url: imageUrl }, color: 0x2f3136 }],
      components: [
        row(...[1, 2, 3, 4].map((n) => button(String(n), `MJ::Job::PicReader::${n}`, 2))),
        row(button('', 'MJ::Picread::Retry', 2, '🔄'), button('Imagine all', 'MJ::Job::PicReader::all', 2, '🎉')),
      ],
    });
  }

  /** The CAPTCHA (C.10): an iframe modal titled "Action required to continue" instead of an answer. */
  private captcha(ctx: InteractionContext, state: MidjourneyUserState): void {
    const i = ctx.interaction;
    if (i.state !== 'pending') return;
    i.state = 'success';
    i.received.outcome = 'success';
    state.captcha = false;
    this.world.dispatcher(ctx.user.id, 'INTERACTION_SUCCESS', { id: i.id, nonce: i.nonce });
    this.world.dispatcher(ctx.user.id, 'INTERACTION_IFRAME_MODAL_CREATE', {
      id: i.id,
      nonce: i.nonce,
      channel_id: ctx.channel.id,
      custom_id: `MJ::iframe::${this.world.random.hex(32)}`,
      title: 'Action required to continue',
      iframe_path: '/captcha/embedded/index.html',
      application: { id: this.application.id, name: this.application.name, icon: null, bot_id: this.application.botUserId },
    });
  }

  private info(user: UserRecord, state: MidjourneyUserState): string {
    const remaining = Math.max(0, state.fastHoursTotal - state.fastHoursUsed);
    const percent = ((remaining / state.fastHoursTotal) * 100).toFixed(2);
    const mode = { fast: 'Fast', relaxed: 'Relaxed', turbo: 'Turbo' }[state.mode];
    return [
      `**User ID**: ${user.id}`,
      '**Subscription**: Standard (Active monthly, renews next on <t:1767225600>)',
      `**Job Mode**: ${mode}`,
      '**Visibility Mode**: Public',
      `**Fast Time Remaining**: ${remaining.toFixed(2)}/${state.fastHoursTotal.toFixed(2)} hours (${percent}%)`,
      `**Lifetime Usage**: ${this.jobs.size} images`,
      '**Relaxed Usage**: 0 images',
      '**Queued Jobs (fast)**: 0',
      '**Queued Jobs (relax)**: 0',
      `**Running Jobs**: ${this.running.get(user.id) ?? 0}`,
    ].join('\n');
  }

  /** The bot rewrites prompts (C.3): image links shortened, a model version appended when missing. */
  private echo(prompt: string): string {
    const linked = prompt.replace(/<?https?:\/\/[^\s>]+>?/g, () => `<https://s.mj.run/${this.world.random.hex(11)}>`);
    return /(^|\s)--v\s/.test(linked) || /(^|\s)--niji\b/.test(linked) ? linked : `${linked} --v 6.1`.trim();
  }

  private fileBase(user: UserRecord, prompt: string): string {
    const fragment = prompt.replace(/<[^>]*>|--\S+(\s+\S+)?/g, ' ').trim().split(/\s+/).slice(0, 6).join('_').replace(/[^A-Za-z0-9_]/g, '');
    return `${user.username}_${fragment || 'image'}`.slice(0, 80);
  }

  /** A new bot message linked to the interaction (`interaction_metadata`), optionally replying to a message. */
  private post(ctx: InteractionContext, message: Pick<NewMessage, 'content' | 'files' | 'components' | 'embeds'>, options: { nonce: boolean; reference?: MessageRecord }): MessageRecord | undefined {
    const i = ctx.interaction;
    if (!ctx.alive) return undefined;
    const metadata: Record<string, unknown> = {
      id: i.id,
      type: i.type,
      user: this.world.publicUser(i.user),
      authorizing_integration_owners: { '1': i.user.id },
      ...(i.type === 2 ? { name: i.command?.name, command_type: 1 } : {}),
      ...(i.type === 3 && i.message ? { interacted_message_id: i.message.json.id } : {}),
    };
    const reference = options.reference ?? (i.type !== 2 ? i.message : undefined);
    return this.messages.create(ctx.channel, {
      ...message,
      author: this.world.users.get(this.application.botUserId)!,
      type: reference ? 19 : i.type === 2 ? 20 : 0,
      nonce: options.nonce ? i.nonce : null,
      applicationId: this.application.id,
      interactionMetadata: metadata,
      ...(reference && !reference.deleted ? { messageReference: { message_id: reference.json.id, channel_id: ctx.channel.id } } : {}),
    });
  }

  private edit(channel: ChannelRecord, record: MessageRecord, patch: { content?: string; files?: StoredFile[]; components?: unknown[] }): void {
    this.messages.edit(channel, record, patch);
  }

  private release(userId: string): void {
    const queue = this.waiting.get(userId) ?? [];
    const next = queue.shift();
    if (next) return next(); // the slot passes straight to the next queued job
    this.running.set(userId, Math.max(0, (this.running.get(userId) ?? 1) - 1));
  }
}

function seedOf(action: Action): number {
  return action.kind === 'imagine' ? action.seed : action.job.seed + 1;
}

export function mention(user: UserRecord): string {
  return `<@${user.id}>`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const row = (...components: unknown[]) => ({ type: 1, components });
function button(label: string, customId: string, style: number, emoji?: string) {
  return { type: 2, style, custom_id: customId, ...(label ? { label } : {}), ...(emoji ? { emoji: { name: emoji } } : {}) };
}
const textInput = (customId: string, label: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: customId, label, style: 2, value, required: true, max_length: 4000 }] });

/** A grid's buttons (C.4, C.7): U1–U4, then V1–V4 and 🔄. */
function gridButtons(hash: string): unknown[] {
  return [
    row(...[1, 2, 3, 4].map((n) => button(`U${n}`, `MJ::JOB::upsample::${n}::${hash}`, 2))),
    row(...[1, 2, 3, 4].map((n) => button(`V${n}`, `MJ::JOB::variation::${n}::${hash}`, 2)), button('', `MJ::JOB::reroll::0::${hash}::SOLO`, 2, '🔄')),
  ];
}

/** An upscaled image's buttons (C.4, TA upscale_buttons.json), plus the favourite and the web link. */
function upscaleButtons(hash: string, redo = false): unknown[] {
  return [
    row(
      // Redo Upscale's real id is not public (midjourney.md C.7): this one is invented, and read by its label.
      button(redo ? 'Redo Upscale (Subtle)' : 'Upscale (Subtle)', `MJ::JOB::upsample_v6r1_2x_subtle${redo ? '_redo' : ''}::1::${hash}::SOLO`, 2),
      button(redo ? 'Redo Upscale (Creative)' : 'Upscale (Creative)', `MJ::JOB::upsample_v6r1_2x_creative${redo ? '_redo' : ''}::1::${hash}::SOLO`, 2),
    ),
    row(button('Vary (Subtle)', `MJ::JOB::low_variation::1::${hash}::SOLO`, 2, '🪄'), button('Vary (Strong)', `MJ::JOB::high_variation::1::${hash}::SOLO`, 2, '🪄'), button('Vary (Region)', `MJ::Inpaint::1::${hash}::SOLO`, 2, '🖌️')),
    row(button('Zoom Out 2x', `MJ::Outpaint::50::1::${hash}::SOLO`, 2, '🔍'), button('Zoom Out 1.5x', `MJ::Outpaint::75::1::${hash}::SOLO`, 2, '🔍'), button('Custom Zoom', `MJ::CustomZoom::${hash}`, 2, '🔍')),
    row(
      button('', `MJ::JOB::pan_left::1::${hash}::SOLO`, 2, '⬅️'),
      button('', `MJ::JOB::pan_right::1::${hash}::SOLO`, 2, '➡️'),
      button('', `MJ::JOB::pan_up::1::${hash}::SOLO`, 2, '⬆️'),
      button('', `MJ::JOB::pan_down::1::${hash}::SOLO`, 2, '⬇️'),
    ),
    row(button('', `MJ::BOOKMARK::${hash}`, 2, '❤️'), { type: 2, style: 5, label: 'Web', url: `https://www.midjourney.com/jobs/${hash}` }),
  ];
}

function describeSuggestions(message: MessageRecord): string[] {
  const description = String(((message.json.embeds as { description?: string }[] | undefined) ?? [])[0]?.description ?? '');
  return description.split(/\n\s*\n/).map((s) => s.replace(/^\S+\s/, '').trim());
}

/** Four colour quadrants, each with its own diagonal stripe: a picture of a 2×2 grid. */
function quadrantColour(seed: number, quadrant: number): Rgb {
  const s = seed * 31 + quadrant * 97;
  return [(s * 53) & 0xff, (s * 97 + 64) & 0xff, (s * 151 + 128) & 0xff];
}

export function drawGrid(seed: number, size: number): Buffer {
  const half = size >> 1;
  return encodePng(size, size, (x, y) => {
    const q = (y < half ? 0 : 2) + (x < half ? 0 : 1);
    const base = quadrantColour(seed, q);
    const lx = x % half;
    const ly = y % half;
    return Math.abs(lx - ly) < 3 ? [255 - base[0], 255 - base[1], 255 - base[2]] : base;
  });
}

/** One quadrant (1–4) of a grid, larger. */
export function drawImage(seed: number, index: number, size = GRID_SIZE): Buffer {
  const base = quadrantColour(seed, index - 1);
  return encodePng(size, size, (x, y) => (Math.abs(x - y) < 4 ? [255 - base[0], 255 - base[1], 255 - base[2]] : base));
}
