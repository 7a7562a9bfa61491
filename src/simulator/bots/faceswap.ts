/**
 * Simulated InsightFaceSwap (Picsi.Ai), spec §5.1 / useapi-compat §4.1. Works in guild channels
 * where it is installed. Identity commands (saveid, setid, listid, delid, delall) answer with one
 * reply. Image commands (swapid, picsi, INSwapper) reply "command sent" and post the result later as
 * a separate, unlinked message that mentions the user (type 0, no nonce, no interaction metadata —
 * clients must correlate by channel + mention, as with the real bot). headshot and changebg reply
 * `Job Submitted [jobid: …] [credits: N]` and post `Job Completed [jobid: …]` with the image later.
 * Every image result costs credits (`[credits: cost]` and `[used: U/T]` in the text); credits reset
 * daily at 00:00 UTC (simulator clock).
 */
import type { Cdn } from '../cdn.ts';
import { FACESWAP_APPLICATION_ID } from '../constants.ts';
import type { BotMessage, InteractionContext, SimBot } from '../interactions.ts';
import { makePng } from '../media/png.ts';
import { sampleMp4 } from '../media/mp4.ts';
import type { ApplicationRecord, StoredFile, UserRecord, World } from '../state.ts';
import type { FaceswapTemplates } from '../types.ts';
import { fill, option, registerApplication } from './commands.ts';

export const MAX_SAVED_IDS = 20;
const NAME_PATTERN = /^[A-Za-z0-9]{1,10}$/;
const COST = { swap: 1, gifOrVideo: 20, headshot: 4, changebg: 2 } as const;

export const DEFAULT_FACESWAP_TEMPLATES: FaceswapTemplates = {
  commandSent: '{user} command sent',
  unknownId: '{user} idname `{idname}` not found, use /listid to see your saved ids',
  noFace: '{user} no face detected in the image, please try another one',
  outOfCredits: '{user} you are out of credits for today (used {used} of {total}), credits reset at 00:00 UTC',
  invalidName: '{user} invalid idname `{idname}`: use 1 to 10 letters or digits',
  tooManyIds: '{user} you can save at most {max} ids, delete one with /delid first',
  botError: '{user} an error occurred while processing your request, please try again later',
};

interface Identities {
  saved: Map<string, StoredFile>;
  defaults: string[];
  prefer: string;
}

/**
 * How the simulated InsightFaceSwap answers. The real bot's delivery is not public
 * (`real-world.md` §2), so every plausible style can be chosen (`setFaceswapStyle`).
 */
export interface FaceswapStyle {
  /** Image commands are acknowledged with `command sent` as the interaction response (public or ephemeral), or not at all. */
  ack: 'public' | 'ephemeral' | 'none';
  /**
   * How a result (or a late error) arrives after the acknowledgement: a plain channel message
   * mentioning the user (`message`) or not (`message-no-mention`), an interaction follow-up, an
   * edit of the acknowledgement, or a reply (message_reference) to it.
   */
  result: 'message' | 'message-no-mention' | 'follow-up' | 'edit' | 'reply';
  /** Errors as plain text, or as a red embed with only a mention in `content`. */
  errors: 'content' | 'embed';
  /** Identity commands answer directly (the interaction response) or like image commands (acknowledgement, then the answer). */
  textReplies: 'direct' | 'after-ack';
}

export const DEFAULT_FACESWAP_STYLE: FaceswapStyle = { ack: 'public', result: 'message', errors: 'content', textReplies: 'direct' };

export class FaceswapBot implements SimBot {
  readonly name = 'faceswap' as const;
  readonly exclusivePerChannel = true;
  readonly application: ApplicationRecord;
  templates: FaceswapTemplates = { ...DEFAULT_FACESWAP_TEMPLATES };
  /** How the bot answers (see {@link FaceswapStyle}); the defaults are the simulator's historical style. */
  style: FaceswapStyle = { ...DEFAULT_FACESWAP_STYLE };
  private readonly identities = new Map<string, Identities>();
  private readonly forced: { kind: 'noFace' | 'botError'; count: number }[] = [];
  /** Image jobs still to answer only after Discord has reported INTERACTION_FAILURE. */
  private lateResults = 0;

  constructor(
    private readonly world: World,
    private readonly cdn: Cdn,
  ) {
    this.application = registerApplication(world, {
      id: FACESWAP_APPLICATION_ID,
      name: 'InsightFaceSwap',
      description: 'Picsi.Ai face swapping',
      commands: [
        { name: 'saveid', description: 'Save Identity Feature by Name and Image', options: [option.string('idname', 'idname to save', { required: true }), option.attachment('image', 'id image', { required: true })] },
        { name: 'setid', description: 'Set default idname(s) or prefer options', options: [option.string('idname', 'idname(s) or prefer options', { required: true })] },
        { name: 'listid', description: 'List saved idnames, default ids and prefer options' },
        { name: 'delid', description: 'Delete a saved idname', options: [option.string('idname', 'idname to delete', { required: true })] },
        { name: 'delall', description: 'Delete all saved idnames' },
        { name: 'swapid', description: 'Apply Identity Feature to Target Image, use comma splitter for multiple identities', options: [option.string('idname', 'idname(s) to apply', { required: true }), option.attachment('image', 'target image', { required: true })] },
        { name: 'picsi', description: 'Swap a source face into a target image, GIF or video', options: [option.attachment('source_image', 'source face image', { required: true }), option.attachment('target_image_gif_or_video', 'target image, GIF or video', { required: true }), option.string('options', 'options such as -f -m')] },
        { name: 'headshot', description: 'Generate a headshot of your default identity', options: [option.string('prompt', 'what the headshot shows', { required: true }), option.string('options', 'extra options')] },
        { name: 'changebg', description: 'Change the background of a photo', options: [option.attachment('image', 'photo', { required: true }), option.string('a_background_photo_of', 'the new background', { required: true }), option.string('options', 'extra options')] },
        { name: 'INSwapper', description: '', type: 3 },
      ],
    });
  }

  failNext(count: number, kind: 'noFace' | 'botError'): void {
    this.forced.push({ kind, count });
  }

  /** The next `count` image jobs get no answer in time (INTERACTION_FAILURE), then their result anyway. */
  answerLate(count: number): void {
    this.lateResults += Math.max(0, count);
  }

  /** Kept for the older control call: `message` or `follow-up` results. */
  set resultStyle(style: 'message' | 'follow-up') {
    this.style = { ...this.style, result: style };
  }

  async handle(ctx: InteractionContext): Promise<void> {
    const i = ctx.interaction;
    if (i.type !== 2 || !i.command) return; // the real bot has no components; unknown clicks time out
    const idname = String(i.options.get('idname') ?? '').trim();
    switch (i.command.name) {
      case 'saveid':
        return this.saveid(ctx, idname, i.files.get('image')!);
      case 'setid':
        return this.setid(ctx, idname);
      case 'listid':
        return this.listid(ctx);
      case 'delid':
        return this.delid(ctx, idname);
      case 'delall':
        this.ids(ctx.user).saved.clear();
        this.ids(ctx.user).defaults = [];
        return this.answer(ctx, { content: `${mention(ctx.user)} all saved ids deleted` });
      case 'swapid':
        return this.swapid(ctx, idname, i.files.get('image')!);
      case 'picsi':
        return this.picsi(ctx, i.files.get('source_image')!, i.files.get('target_image_gif_or_video')!);
      case 'INSwapper':
        return this.inswapper(ctx);
      case 'headshot':
        return this.asyncJob(ctx, 'Headshot', COST.headshot, `[prompt: '${String(i.options.get('prompt') ?? '').slice(0, 100)}']`);
      case 'changebg':
        return this.asyncJob(ctx, 'ChangeBG', COST.changebg, `[background: '${String(i.options.get('a_background_photo_of') ?? '').slice(0, 100)}']`);
    }
  }

  private ids(user: UserRecord): Identities {
    let ids = this.identities.get(user.id);
    if (!ids) this.identities.set(user.id, (ids = { saved: new Map(), defaults: [], prefer: '--greedy' }));
    return ids;
  }

  private text(key: keyof FaceswapTemplates, user: UserRecord, values: Record<string, string | number> = {}): string {
    const credits = this.world.credits(user);
    return fill(this.templates[key], { user: mention(user), used: credits.used, total: credits.total, max: MAX_SAVED_IDS, ...values });
  }

  private async saveid(ctx: InteractionContext, idname: string, image: StoredFile): Promise<void> {
    const ids = this.ids(ctx.user);
    if (!NAME_PATTERN.test(idname)) return this.answer(ctx, this.error('invalidName', ctx.user, { idname }));
    if (!ids.saved.has(idname) && ids.saved.size >= MAX_SAVED_IDS) return this.answer(ctx, this.error('tooManyIds', ctx.user));
    if (this.noFace(image)) return this.answer(ctx, this.error('noFace', ctx.user));
    ids.saved.set(idname, image);
    ids.defaults = [idname];
    return this.answer(ctx, { content: `${mention(ctx.user)} idname \`${idname}\` saved and set as default [ids: ${ids.saved.size}/${MAX_SAVED_IDS}]` });
  }

  private async setid(ctx: InteractionContext, value: string): Promise<void> {
    const ids = this.ids(ctx.user);
    const tokens = value.split(/\s+/).filter(Boolean);
    const flags = tokens.filter((t) => t.startsWith('-'));
    if (flags.length > 0) {
      if (flags.length !== tokens.length) return this.answer(ctx, this.errorText(ctx.user, `${mention(ctx.user)} idnames and prefer options cannot be set in the same call`));
      const unknown = flags.find((f) => f !== '--greedy' && f !== '--nogreedy');
      if (unknown) return this.answer(ctx, this.errorText(ctx.user, `${mention(ctx.user)} unknown prefer option \`${unknown}\``));
      ids.prefer = flags.join(' ');
      return this.answer(ctx, { content: `${mention(ctx.user)} prefer options set to \`${ids.prefer}\`` });
    }
    if (tokens.length !== 1) return this.answer(ctx, this.errorText(ctx.user, `${mention(ctx.user)} no spaces allowed, separate idnames with commas (e.g. \`A,B\`)`));
    const unknown = this.unknownName(ids, tokens[0]!.split(','));
    if (unknown !== undefined) return this.answer(ctx, this.error('unknownId', ctx.user, { idname: unknown }));
    ids.defaults = tokens[0]!.split(',');
    return this.answer(ctx, { content: `${mention(ctx.user)} default idname(s) set to \`${ids.defaults.join(',')}\`` });
  }

  private async listid(ctx: InteractionContext): Promise<void> {
    const ids = this.ids(ctx.user);
    const credits = this.world.credits(ctx.user);
    const names = [...ids.saved.keys()];
    return this.answer(ctx, {
      content: [
        `${mention(ctx.user)} saved ids (${names.length}/${MAX_SAVED_IDS}): ${names.length ? names.join(', ') : '(none)'}`,
        `default ids: ${ids.defaults.length ? ids.defaults.join(',') : '(none)'}`,
        `prefer options: ${ids.prefer}`,
        `credits: [used: ${credits.used}/${credits.total}]`,
      ].join('\n'),
    });
  }

  private async delid(ctx: InteractionContext, idname: string): Promise<void> {
    const ids = this.ids(ctx.user);
    if (!ids.saved.delete(idname)) return this.answer(ctx, this.error('unknownId', ctx.user, { idname }));
    ids.defaults = ids.defaults.filter((d) => !d.split('+').includes(idname));
    return this.answer(ctx, { content: `${mention(ctx.user)} idname \`${idname}\` deleted` });
  }

  private async swapid(ctx: InteractionContext, value: string, image: StoredFile): Promise<void> {
    const [names = '', ...flags] = value.split(/\s+/).filter(Boolean);
    const oldify = flagValue(flags, ['--oldify', '-o']);
    if (oldify !== undefined && !(Number.isInteger(oldify) && oldify >= 1 && oldify <= 1000)) {
      return this.answer(ctx, this.errorText(ctx.user, `${mention(ctx.user)} --oldify must be between 1 and 1000`));
    }
    const list = names === '_' ? [] : names.split(',');
    const unknown = this.unknownName(this.ids(ctx.user), list);
    if (unknown !== undefined) return this.answer(ctx, this.error('unknownId', ctx.user, { idname: unknown }));
    const faces = Math.min(2, Math.max(1, list.filter((n) => n !== '_').length));
    await this.imageJob(ctx, 'swapid', image, faces * COST.swap, `[idname: ${names}]`);
  }

  private async picsi(ctx: InteractionContext, source: StoredFile, target: StoredFile): Promise<void> {
    if (this.noFace(source)) {
      if (!this.acknowledge(ctx)) return;
      await ctx.delay();
      this.deliver(ctx, this.error('noFace', ctx.user));
      return;
    }
    const moving = target.contentType === 'image/gif' || target.contentType.startsWith('video/');
    await this.imageJob(ctx, 'picsi', target, moving ? COST.gifOrVideo : COST.swap, '', moving);
  }

  private async inswapper(ctx: InteractionContext): Promise<void> {
    const target = ctx.interaction.targetMessage!;
    const image = target.files.find((f) => f.contentType.startsWith('image/'));
    const ids = this.ids(ctx.user);
    if (ids.defaults.length === 0) return this.answer(ctx, this.error('unknownId', ctx.user, { idname: '(default)' }));
    if (!image) return this.answer(ctx, this.error('noFace', ctx.user));
    await this.imageJob(ctx, 'INSwapper', image, COST.swap, `[idname: ${ids.defaults.join(',')}]`);
  }

  /** "command sent", then (after the bot's latency) the result message or an error message. */
  private async imageJob(ctx: InteractionContext, command: string, target: StoredFile, cost: number, detail: string, video = false): Promise<void> {
    if (!this.hasCredits(ctx.user, cost)) return this.answer(ctx, this.error('outOfCredits', ctx.user));
    const late = this.lateResults > 0;
    if (late) {
      // Overloaded: no answer in time (Discord reports INTERACTION_FAILURE), the result comes anyway.
      this.lateResults--;
      await ctx.afterFailure();
    } else {
      if (!this.acknowledge(ctx)) return;
      await ctx.delay();
      if (!ctx.alive) return;
    }
    const forced = this.takeForced();
    if (forced === 'botError') return void this.deliver(ctx, this.error('botError', ctx.user));
    if (forced === 'noFace' || this.noFace(target)) return void this.deliver(ctx, this.error('noFace', ctx.user));
    const credits = this.charge(ctx.user, cost);
    const file = video
      ? this.cdn.store('attachments', ctx.channel.id, `${command}_${ctx.interaction.id}.mp4`, sampleMp4(), 'video/mp4')
      : this.cdn.store('attachments', ctx.channel.id, `${command}_${ctx.interaction.id}.png`, makePng(128, 128, Number(BigInt(ctx.interaction.id) % 251n)), 'image/png');
    this.deliver(ctx, { content: `${mention(ctx.user)} ${command} done ${detail ? `${detail} ` : ''}[credits: ${cost}] [used: ${credits.used}/${credits.total}]`, files: [file] });
  }

  /** headshot / changebg: "Job Submitted" as the reply; the channel is free again; the result follows. */
  private async asyncJob(ctx: InteractionContext, label: string, cost: number, detail: string): Promise<void> {
    if (!this.hasCredits(ctx.user, cost)) return this.answer(ctx, this.error('outOfCredits', ctx.user));
    const image = ctx.interaction.files.get('image');
    if (image && this.noFace(image) && label === 'Headshot') return this.answer(ctx, this.error('noFace', ctx.user));
    const jobid = this.world.random.hex(32);
    if (!ctx.reply({ content: `${mention(ctx.user)}  Picsi.Ai ${label} Job Submitted [jobid: ${jobid}] [credits: ${cost}] ${detail}` })) return;
    void (async () => {
      await ctx.delay(3);
      if (!ctx.alive) return;
      if (this.takeForced() === 'botError') return void this.deliver(ctx, this.errorText(ctx.user, `${this.text('botError', ctx.user)} [jobid: ${jobid}]`));
      const credits = this.charge(ctx.user, cost);
      const file = this.cdn.store('attachments', ctx.channel.id, `${label.toLowerCase()}_${jobid}.png`, makePng(128, 128, parseInt(jobid.slice(0, 4), 16)), 'image/png');
      this.deliver(ctx, { content: `${mention(ctx.user)}  Picsi.Ai ${label} Job Completed [jobid: ${jobid}] [credits: ${cost}] [used: ${credits.used}/${credits.total}]`, files: [file] });
    })();
  }

  /**
   * The acknowledgement of a command in the current style: `command sent` as the interaction
   * response (public or ephemeral), or nothing (the answer itself will be the response).
   */
  private acknowledge(ctx: InteractionContext): boolean {
    if (this.style.ack === 'none') return ctx.alive;
    return ctx.reply({ content: this.text('commandSent', ctx.user), ephemeral: this.style.ack === 'ephemeral' }) !== undefined;
  }

  /** An identity command's answer: directly as the interaction response, or acknowledged first and then delivered. */
  private async answer(ctx: InteractionContext, message: BotMessage): Promise<void> {
    if (this.style.textReplies === 'direct') return void ctx.reply(message);
    if (!this.acknowledge(ctx)) return;
    await ctx.delay();
    if (!ctx.alive) return;
    this.deliver(ctx, message);
  }

  /** A result or late error, in the current result style (see {@link FaceswapStyle}). */
  private deliver(ctx: InteractionContext, message: BotMessage): void {
    const i = ctx.interaction;
    // Nothing answered the interaction yet (no acknowledgement): the answer is the response.
    if (!i.originalResponse && i.state === 'pending') return void ctx.reply(message);
    const original = i.originalResponse && !(i.originalResponse.json.flags & 64) ? i.originalResponse : undefined;
    const late = i.state === 'failure';
    switch (late ? 'message' : this.style.result) {
      case 'follow-up':
        return void ctx.followUp(message);
      case 'edit':
        if (i.originalResponse) return void ctx.editOriginal({ content: message.content ?? '', ...(message.files ? { files: message.files } : {}), embeds: message.embeds ?? [] });
        return void ctx.send(message);
      case 'reply':
        return void ctx.send(original ? { ...message, replyTo: original } : message);
      case 'message-no-mention':
        return void ctx.send({ ...message, content: (message.content ?? '').replace(/<@!?\d+>/g, '').replace(/\s+/g, ' ').trim() });
      case 'message':
        return void ctx.send(message);
    }
  }

  /** An error message from a template, as content or as a red embed (per {@link FaceswapStyle.errors}). */
  private error(key: keyof FaceswapTemplates, user: UserRecord, values: Record<string, string | number> = {}): BotMessage {
    return this.errorText(user, this.text(key, user, values));
  }

  private errorText(user: UserRecord, text: string): BotMessage {
    if (this.style.errors === 'content') return { content: text };
    // The common Discord error shape: only a mention in content, the reason in a red embed.
    return { content: mention(user), embeds: [{ type: 'rich', description: text.replace(/<@!?\d+>/g, '').trim(), color: 0xed4245 }] };
  }

  private unknownName(ids: Identities, names: string[]): string | undefined {
    for (const entry of names) for (const name of entry.split('+')) if (name !== '_' && !ids.saved.has(name)) return name;
    return undefined;
  }

  private hasCredits(user: UserRecord, cost: number): boolean {
    const credits = this.world.credits(user);
    return credits.used + cost <= credits.total;
  }

  private charge(user: UserRecord, cost: number): { used: number; total: number } {
    const credits = this.world.credits(user);
    credits.used += cost;
    return credits;
  }

  /** "No face": a file whose name contains `noface`, an empty file, or anything not an image/video. */
  private noFace(file: StoredFile): boolean {
    return /noface/i.test(file.filename) || file.bytes.length === 0 || !/^(image|video)\//.test(file.contentType);
  }

  private takeForced(): 'noFace' | 'botError' | undefined {
    const next = this.forced[0];
    if (!next) return undefined;
    if (--next.count <= 0) this.forced.shift();
    return next.kind;
  }
}

export function mention(user: UserRecord): string {
  return `<@${user.id}>`;
}

function flagValue(flags: string[], names: string[]): number | undefined {
  const at = flags.findIndex((f) => names.includes(f));
  return at < 0 ? undefined : Number(flags[at + 1]);
}
