import type { CorrelationEvent } from './correlation.ts';
import { Emitter } from './emitter.ts';
import { DiscordError, InteractionFailedError, InvalidCommandOptionsError } from './errors.ts';
import type { UploadedAttachment } from './uploads.ts';
import { CommandType, OptionType, type ApplicationCommand, type CommandOptionDefinition, type DiscordComponent, type DiscordMessage } from './types.ts';

export type OptionValue = string | number | boolean;

/** What the caller sends: option values by name; attachments are given separately by option name. */
export interface CommandInput {
  options?: Readonly<Record<string, OptionValue | undefined>>;
  /** Option name → index into the uploaded attachments. */
  attachmentOptions?: Readonly<Record<string, number>>;
  attachments?: readonly UploadedAttachment[];
  /** Subcommand path, e.g. `['sub']` or `['group', 'sub']`. */
  subcommand?: readonly string[];
  /** Message context commands (type 3): the targeted message id. */
  targetId?: string;
}

/**
 * Builds the `data` of a type-2 interaction from the command as the index describes it (id,
 * version, option types): option types come from Discord, never from the caller, and the
 * original (non-localized) names are sent. Mistakes are caught before Discord sees them.
 */
export function buildCommandData(command: ApplicationCommand, input: CommandInput): Record<string, unknown> {
  const data: Record<string, unknown> = {
    version: command.version,
    id: command.id,
    name: command.name_default ?? command.name,
    type: command.type ?? CommandType.ChatInput,
  };
  if (typeof command.guild_id === 'string') data.guild_id = command.guild_id;
  if ((command.type ?? 1) !== CommandType.ChatInput) {
    if (!input.targetId) throw new InvalidCommandOptionsError(`/${command.name} is a context-menu command and needs a target message`);
    data.target_id = input.targetId;
    data.options = [];
    return data;
  }
  let definitions = command.options ?? [];
  const wrappers: Array<{ type: number; name: string }> = [];
  for (const part of input.subcommand ?? []) {
    const sub = definitions.find((o) => optionName(o) === part && (o.type === OptionType.SubCommand || o.type === OptionType.SubCommandGroup));
    if (!sub) throw new InvalidCommandOptionsError(`/${command.name} has no subcommand '${part}'`);
    wrappers.push({ type: sub.type, name: optionName(sub) });
    definitions = sub.options ?? [];
  }
  const given = Object.entries(input.options ?? {}).filter(([, v]) => v !== undefined) as Array<[string, OptionValue]>;
  const attachmentOptions = input.attachmentOptions ?? {};
  const known = new Set(definitions.map(optionName));
  for (const [name] of [...given, ...Object.entries(attachmentOptions)]) {
    if (!known.has(name)) throw new InvalidCommandOptionsError(`/${command.name} has no option '${name}'`);
  }
  let options: Array<Record<string, unknown>> = [];
  for (const def of definitions) {
    const name = optionName(def);
    if (def.type === OptionType.Attachment) {
      const index = attachmentOptions[name];
      if (index === undefined) {
        if (def.required) throw new InvalidCommandOptionsError(`/${command.name} needs a file for '${name}'`);
        continue;
      }
      const attachment = input.attachments?.[index];
      if (!attachment) throw new InvalidCommandOptionsError(`no uploaded attachment #${index} for '${name}'`);
      options.push({ type: def.type, name, value: Number(attachment.id) });
      continue;
    }
    const raw = given.find(([k]) => k === name)?.[1];
    if (raw === undefined) {
      if (def.required) throw new InvalidCommandOptionsError(`/${command.name} needs a value for '${name}'`);
      continue;
    }
    const value = coerce(command.name, def, raw);
    if (def.choices && !def.choices.some((c) => c.value === value)) {
      throw new InvalidCommandOptionsError(`'${name}' of /${command.name} must be one of ${def.choices.map((c) => String(c.value)).join(', ')}`);
    }
    options.push({ type: def.type, name, value });
  }
  for (const wrapper of wrappers.reverse()) options = [{ type: wrapper.type, name: wrapper.name, options }];
  data.options = options;
  data.attachments = input.attachments ? input.attachments.map((a) => ({ ...a })) : [];
  return data;
}

function optionName(def: CommandOptionDefinition): string {
  return def.name_default ?? def.name;
}

function coerce(command: string, def: CommandOptionDefinition, raw: OptionValue): OptionValue {
  const name = optionName(def);
  switch (def.type) {
    case OptionType.String:
      return String(raw);
    case OptionType.Integer: {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new InvalidCommandOptionsError(`'${name}' of /${command} must be an integer`);
      return n;
    }
    case OptionType.Number: {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new InvalidCommandOptionsError(`'${name}' of /${command} must be a number`);
      return n;
    }
    case OptionType.Boolean:
      return raw === true || raw === 'true' || raw === 1;
    default:
      return raw; // users, channels, roles, mentionables: snowflake strings
  }
}

/** Finds a clickable button by custom id; rejects link, premium and disabled buttons as Discord's client does. */
export function findButton(message: DiscordMessage, customId: string): DiscordComponent {
  const stack = [...(message.components ?? [])];
  while (stack.length > 0) {
    const c = stack.shift()!;
    if (c.custom_id === customId) {
      if (c.disabled) throw new InvalidCommandOptionsError(`button '${customId}' is disabled`);
      if (c.style === 5 || c.style === 6) throw new InvalidCommandOptionsError(`button '${customId}' cannot be clicked`);
      return c;
    }
    if (c.components) stack.push(...c.components);
  }
  throw new InvalidCommandOptionsError(`message ${message.id} has no component '${customId}'`);
}

export type ReplyEvent =
  | { type: 'created'; message: DiscordMessage }
  | { type: 'updated'; message: DiscordMessage }
  | { type: 'deleted'; messageId: string }
  | { type: 'accepted' }
  | { type: 'modal'; data: Record<string, unknown> };

export interface InteractionHandleEvents {
  /** A reply message was created, edited or deleted, the bot accepted, or answered with a modal. */
  event: (event: ReplyEvent) => void;
  /** The interaction failed (INTERACTION_FAILURE) or the session was lost for good. */
  failed: (error: DiscordError) => void;
  closed: () => void;
}

/**
 * Follows one interaction: collects the bot's messages (latest version of each) and emits every
 * change until the caller decides it is done and calls {@link close}. Use {@link waitFor} for
 * "the first message that looks like a result", or iterate the events.
 */
export class InteractionHandle extends Emitter<InteractionHandleEvents> {
  interactionId: string | undefined;
  status: 'sent' | 'created' | 'accepted' | 'failed' | 'closed' = 'sent';
  error: DiscordError | undefined;
  /** The bot took the interaction (`INTERACTION_SUCCESS`). */
  accepted = false;
  private readonly current = new Map<string, DiscordMessage>();
  private readonly detachers: Array<() => void> = [];

  constructor(
    public nonce: string,
    readonly channelId: string,
    private readonly reconcileFn: () => Promise<void>,
  ) {
    super();
  }

  /** The bot's messages so far (latest version each), oldest first. */
  messages(): DiscordMessage[] {
    return [...this.current.values()];
  }

  /** Resolves with the first message (existing or future) that satisfies `predicate`; rejects on failure, close or timeout. */
  waitFor(
    predicate: (message: DiscordMessage) => boolean,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<DiscordMessage> {
    for (const m of this.current.values()) if (predicate(m)) return Promise.resolve(m);
    if (this.error) return Promise.reject(this.error);
    if (this.status === 'closed') return Promise.reject(new DiscordError('closed', 'the interaction handle is closed'));
    return new Promise<DiscordMessage>((resolve, reject) => {
      const offs: Array<() => void> = [];
      const finish = (fn: () => void): void => {
        for (const off of offs) off();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      offs.push(
        this.on('event', (e) => {
          if ((e.type === 'created' || e.type === 'updated') && predicate(e.message)) finish(() => resolve(e.message));
        }),
        this.on('failed', (error) => finish(() => reject(error))),
        this.on('closed', () => finish(() => reject(new DiscordError('closed', 'the interaction handle was closed')))),
      );
      const timer = options.timeoutMs
        ? setTimeout(() => finish(() => reject(new DiscordError('timeout', `no matching reply within ${options.timeoutMs} ms`, { retry: true }))), options.timeoutMs)
        : undefined;
      const onAbort = (): void => finish(() => reject(options.signal?.reason));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The handle's events until it fails or is closed. By default it starts with what already
   * happened (`accepted`, then one `created` per message collected so far, in its latest version),
   * so a consumer that starts iterating a little after `invokeCommand` resolved misses nothing.
   */
  async *events(options: { replay?: boolean } = {}): AsyncGenerator<ReplyEvent> {
    const queue: ReplyEvent[] = [];
    if (options.replay !== false) {
      if (this.accepted) queue.push({ type: 'accepted' });
      for (const message of this.current.values()) queue.push({ type: 'created', message });
    }
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: DiscordError | undefined;
    const offs = [
      this.on('event', (e) => {
        queue.push(e);
        wake?.();
      }),
      this.on('failed', (e) => {
        failure = e;
        wake?.();
      }),
      this.on('closed', () => {
        ended = true;
        wake?.();
      }),
    ];
    if (this.error) failure = this.error;
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (failure) throw failure;
        if (ended || this.status === 'closed') return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      for (const off of offs) off();
    }
  }

  /** Reads the channel's recent history for replies the gateway did not deliver. */
  reconcile(): Promise<void> {
    return this.reconcileFn();
  }

  /** Stops following the interaction. */
  close(): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    for (const detach of this.detachers.splice(0)) detach();
    this.emit('closed');
  }

  /** @internal wiring by the account client */
  attach(detach: () => void): void {
    this.detachers.push(detach);
  }

  /** @internal */
  fail(error: DiscordError): void {
    if (this.status === 'closed' || this.status === 'failed') return;
    this.status = 'failed';
    this.error = error;
    this.emit('failed', error);
  }

  /** @internal fed by the correlator */
  handle(event: CorrelationEvent): void {
    // After INTERACTION_FAILURE nothing more belongs to this interaction: a late answer is the
    // caller's to record (quarantine), never a result delivered after the failure (issue 12).
    if (this.status === 'closed' || this.status === 'failed') return;
    switch (event.type) {
      case 'interaction_created':
        this.interactionId = event.interactionId;
        if (this.status === 'sent') this.status = 'created';
        return;
      case 'interaction_succeeded':
        this.accepted = true;
        if (this.status === 'sent' || this.status === 'created') this.status = 'accepted';
        this.emit('event', { type: 'accepted' });
        return;
      case 'interaction_failed':
        this.fail(new InteractionFailedError(event.interactionId, event.reasonCode));
        return;
      case 'modal':
        this.emit('event', { type: 'modal', data: event.data });
        return;
      case 'message_created':
        this.current.set(event.message.id, event.message);
        this.emit('event', { type: 'created', message: event.message });
        return;
      case 'message_updated':
        this.current.set(event.message.id, event.message);
        this.emit('event', { type: 'updated', message: event.message });
        return;
      case 'message_deleted':
        this.current.delete(event.messageId);
        this.emit('event', { type: 'deleted', messageId: event.messageId });
        return;
    }
  }
}
