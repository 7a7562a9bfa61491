/**
 * The interaction lifecycle (spec §2.8, §7.5): an accepted `POST /interactions` becomes
 * `INTERACTION_CREATE {id, nonce}` on the invoker's sessions; the bot then answers within the
 * timeout (→ `INTERACTION_SUCCESS` + its message) or does not (→ `INTERACTION_FAILURE`
 * `reason_code: 2`). Bots talk back only through {@link InteractionContext}, which enforces the
 * "first response once, in time" rule and shapes messages as interaction responses.
 */
import { FLAG_EPHEMERAL, FLAG_LOADING } from './constants.ts';
import type { MessagePatch, Messages, NewMessage } from './messages.ts';
import type { ApplicationRecord, ChannelRecord, CommandRecord, MessageRecord, StoredFile, UserRecord, World } from './state.ts';
import type { BotName, ReceivedInteraction } from './types.ts';

export interface InteractionRecord {
  id: string;
  token: string;
  nonce: string | null;
  /** 2 application command, 3 component, 5 modal submit. */
  type: number;
  user: UserRecord;
  channel: ChannelRecord;
  application: ApplicationRecord;
  command?: CommandRecord;
  /** Flattened options: name → value (attachment options resolve to files in `files`). */
  options: Map<string, string | number | boolean>;
  files: Map<string, StoredFile>;
  /** Context-menu target (type 2, command type 3). */
  targetMessage?: MessageRecord;
  /** The clicked message (type 3). */
  message?: MessageRecord;
  customId?: string;
  /** Modal submit values (type 5): text input custom_id → value. */
  fields?: Map<string, string>;
  state: 'pending' | 'success' | 'failure';
  received: ReceivedInteraction;
  originalResponse?: MessageRecord;
}

/** A simulated bot: its application and what it does with an interaction. */
export interface SimBot {
  readonly name: BotName;
  readonly application: ApplicationRecord;
  /** Faceswap-style bots work on one command per channel; overlapping commands are reported. */
  readonly exclusivePerChannel: boolean;
  handle(ctx: InteractionContext): Promise<void>;
}

/** A bot message: like {@link NewMessage} minus what the context fills in. */
export type BotMessage = Omit<NewMessage, 'author' | 'nonce' | 'applicationId' | 'interactionMetadata' | 'interaction' | 'type' | 'messageReference' | 'ephemeralFor'> & {
  ephemeral?: boolean;
};

export class InteractionContext {
  constructor(
    readonly interaction: InteractionRecord,
    private readonly engine: InteractionEngine,
  ) {}

  get user(): UserRecord {
    return this.interaction.user;
  }
  get channel(): ChannelRecord {
    return this.interaction.channel;
  }
  /** False once the interaction failed or the simulator closed: stop working. */
  get alive(): boolean {
    return this.interaction.state !== 'failure' && !this.engine.closed;
  }

  /** Waits `factor` × bot latency (at least one macrotask, so events keep their order). */
  delay(factor = 1): Promise<void> {
    return this.engine.delay(this.engine.botLatencyMs * factor);
  }

  /** Resolves once Discord has reported INTERACTION_FAILURE for this interaction (an overloaded bot's late answer). */
  async afterFailure(): Promise<void> {
    while (this.interaction.state === 'pending' && !this.engine.closed) await this.engine.delay(Math.max(10, Math.min(100, this.engine.timeoutMs / 4)));
  }

  /** Callback 4: the response message (nonce, type 20/23, or 19 for components). */
  reply(message: BotMessage): MessageRecord | undefined {
    if (!this.acknowledge()) return undefined;
    const record = this.engine.messages.create(this.channel, this.responseMessage(message));
    this.interaction.originalResponse = record;
    return record;
  }

  /** Callback 5: a LOADING placeholder that {@link editOriginal} fills in. */
  defer(ephemeral = false): MessageRecord | undefined {
    return this.reply({ content: '', flags: FLAG_LOADING | (ephemeral ? FLAG_EPHEMERAL : 0) });
  }

  /** Callback 7 (components): edits the clicked message. */
  updateMessage(patch: MessagePatch): boolean {
    const target = this.interaction.message;
    if (!target || !this.acknowledge()) return false;
    this.engine.messages.edit(this.channel, target, patch);
    return true;
  }

  /** Callback 6 (components): acknowledge without a visible change. */
  deferUpdate(): boolean {
    return this.acknowledge();
  }

  /** Callback 9: opens a modal (`INTERACTION_MODAL_CREATE`, no INTERACTION_SUCCESS). */
  modal(modal: { custom_id: string; title: string; components: unknown[] }): boolean {
    const i = this.interaction;
    if (i.state !== 'pending' || this.engine.closed) return false;
    i.state = 'success';
    i.received.outcome = 'success';
    this.engine.openModals.set(i.id, { customId: modal.custom_id, userId: i.user.id, source: i });
    this.engine.dispatch(i.user.id, 'INTERACTION_MODAL_CREATE', {
      id: i.id,
      nonce: i.nonce,
      channel_id: i.channel.id,
      custom_id: modal.custom_id,
      title: modal.title,
      components: modal.components,
      application: { id: i.application.id, name: i.application.name, icon: null, bot_id: i.application.botUserId },
    });
    return true;
  }

  /** Edits the response message (progress, or filling in a deferred reply: clears LOADING). */
  editOriginal(patch: MessagePatch): MessageRecord | undefined {
    const original = this.interaction.originalResponse;
    if (!original || this.engine.closed) return undefined;
    const flags = patch.flags ?? original.json.flags & ~FLAG_LOADING;
    return this.engine.messages.edit(this.channel, original, { ...patch, flags });
  }

  /** A follow-up: a new interaction message whose metadata names the original response. */
  followUp(message: BotMessage): MessageRecord | undefined {
    if (this.engine.closed) return undefined;
    const base = this.responseMessage(message);
    base.nonce = null;
    base.interactionMetadata = { ...base.interactionMetadata, original_response_message_id: this.interaction.originalResponse?.json.id };
    return this.engine.messages.create(this.channel, base);
  }

  /** A plain bot message in the channel, not linked to the interaction (InsightFaceSwap's results). */
  send(message: BotMessage & { replyTo?: MessageRecord }): MessageRecord | undefined {
    if (this.engine.closed) return undefined;
    const { replyTo, ephemeral: _ignored, ...rest } = message;
    return this.engine.messages.create(this.channel, {
      ...rest,
      author: this.engine.botUser(this.interaction.application),
      type: replyTo ? 19 : 0,
      ...(replyTo ? { messageReference: { message_id: replyTo.json.id, channel_id: this.channel.id, ...(this.channel.guildId ? { guild_id: this.channel.guildId } : {}) } } : {}),
    });
  }

  delete(record: MessageRecord): void {
    this.engine.messages.delete(this.channel, record);
  }

  private acknowledge(): boolean {
    const i = this.interaction;
    if (i.state !== 'pending' || this.engine.closed) return false;
    i.state = 'success';
    i.received.outcome = 'success';
    this.engine.dispatch(i.user.id, 'INTERACTION_SUCCESS', { id: i.id, nonce: i.nonce });
    return true;
  }

  private responseMessage(message: BotMessage): NewMessage {
    const i = this.interaction;
    const { ephemeral, ...rest } = message;
    const commandType = i.command?.type ?? 1;
    const metadata: Record<string, unknown> = {
      id: i.id,
      type: i.type,
      user: this.engine.world.publicUser(i.user),
      authorizing_integration_owners: i.channel.guildId ? { '0': i.channel.guildId } : { '1': i.user.id },
    };
    if (i.type === 2) Object.assign(metadata, { name: i.command?.name, command_type: commandType, ...(i.targetMessage ? { target_message_id: i.targetMessage.json.id } : {}) });
    if (i.type === 3 && i.message) metadata.interacted_message_id = i.message.json.id;
    // Component and modal-submit responses reply to the message that carried the component.
    const clicked = i.type !== 2 ? i.message : undefined;
    const out: NewMessage = {
      ...rest,
      flags: (rest.flags ?? 0) | (ephemeral ? FLAG_EPHEMERAL : 0),
      author: this.engine.botUser(i.application),
      type: i.type === 2 ? (commandType === 1 ? 20 : 23) : 19,
      nonce: i.nonce,
      applicationId: i.application.id,
      interactionMetadata: metadata,
      ...(clicked ? { messageReference: { message_id: clicked.json.id, channel_id: i.channel.id, ...(i.channel.guildId ? { guild_id: i.channel.guildId } : {}) } } : {}),
      ...(ephemeral ? { ephemeralFor: i.user.id } : {}),
    };
    if (i.type === 2 && i.command) {
      const c = i.command;
      out.interaction = { id: i.id, type: i.type, name: c.name, user: this.engine.world.publicUser(i.user) };
      out.interactionData = {
        id: i.id,
        type: i.type,
        name: c.name,
        application_command: { id: c.id, application_id: c.applicationId, version: c.version, type: c.type, name: c.name, description: c.description, options: c.options },
        options: [...i.options].map(([name, value]) => ({ name, type: c.options.find((o) => o.name === name)?.type ?? 3, value })),
      };
    }
    return out;
  }
}

export class InteractionEngine {
  closed = false;
  botLatencyMs: number;
  timeoutMs: number;
  readonly openModals = new Map<string, { customId: string; userId: string; source: InteractionRecord }>();
  private readonly bots = new Map<string, SimBot>();
  private readonly drops: { count: number; bot?: BotName }[] = [];
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  /** channel id → command currently being worked on (exclusive bots only). */
  private readonly activeByChannel = new Map<string, { command: string; interactionId: string }>();

  constructor(
    readonly world: World,
    readonly messages: Messages,
    options: { botLatencyMs: number; timeoutMs: number },
  ) {
    this.botLatencyMs = options.botLatencyMs;
    this.timeoutMs = options.timeoutMs;
  }

  addBot(bot: SimBot): void {
    this.bots.set(bot.application.id, bot);
  }

  botUser(application: ApplicationRecord): UserRecord {
    return this.world.users.get(application.botUserId)!;
  }

  dispatch(userId: string, event: string, data: unknown): void {
    this.world.dispatcher(userId, event, data);
  }

  dropNext(count: number, bot?: BotName): void {
    this.drops.push({ count, ...(bot ? { bot } : {}) });
  }

  /** Starts the lifecycle of an interaction the REST layer accepted (answered 204). */
  accept(interaction: InteractionRecord, options: { deliver: boolean }): void {
    this.world.report.interactions.push(interaction.received);
    const bot = this.bots.get(interaction.application.id);
    if (bot?.exclusivePerChannel && interaction.type !== 5) this.noteExclusive(interaction);
    this.later(() => {
      this.dispatch(interaction.user.id, 'INTERACTION_CREATE', { id: interaction.id, nonce: interaction.nonce });
      this.later(() => this.fail(interaction), this.timeoutMs);
      if (!bot || !options.deliver || this.consumeDrop(bot.name)) return;
      this.later(() => {
        if (interaction.state === 'failure' || this.closed) return;
        const ctx = new InteractionContext(interaction, this);
        bot.handle(ctx).then(
          () => this.release(interaction),
          (error: unknown) => {
            this.release(interaction);
            process.emitWarning(`simulated bot ${bot.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
          },
        );
      }, this.botLatencyMs);
    }, 0);
  }

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(resolve, ms));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t as NodeJS.Timeout);
      clearImmediate(t as NodeJS.Immediate);
    }
    this.timers.clear();
  }

  /** Runs `fn` after `ms` (a macrotask even for 0); cancelled on close. */
  private later(fn: () => void, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) {
      const handle = setImmediate(() => {
        this.timers.delete(handle);
        fn();
      });
      this.timers.add(handle);
      return;
    }
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }

  private fail(interaction: InteractionRecord): void {
    if (interaction.state !== 'pending') return;
    interaction.state = 'failure';
    interaction.received.outcome = 'failure';
    this.release(interaction);
    this.dispatch(interaction.user.id, 'INTERACTION_FAILURE', { id: interaction.id, nonce: interaction.nonce, reason_code: 2 });
  }

  private consumeDrop(bot: BotName): boolean {
    const index = this.drops.findIndex((d) => !d.bot || d.bot === bot);
    if (index < 0) return false;
    const drop = this.drops[index]!;
    if (--drop.count <= 0) this.drops.splice(index, 1);
    return true;
  }

  private noteExclusive(interaction: InteractionRecord): void {
    const name = interaction.command?.name ?? interaction.customId ?? '?';
    const active = this.activeByChannel.get(interaction.channel.id);
    if (active) {
      this.world.report.faceswapOverlaps.push({
        channelId: interaction.channel.id,
        userId: interaction.user.id,
        command: name,
        activeCommand: active.command,
        at: new Date().toISOString(),
      });
    }
    this.activeByChannel.set(interaction.channel.id, { command: name, interactionId: interaction.id });
  }

  private release(interaction: InteractionRecord): void {
    const active = this.activeByChannel.get(interaction.channel.id);
    if (active?.interactionId === interaction.id) this.activeByChannel.delete(interaction.channel.id);
  }
}
