import { ClientIdentity, type ClientProfile } from './client-properties.ts';
import { CommandCache, scopeOf } from './commands.ts';
import { ReplyCorrelator, type ResumeSpec } from './correlation.ts';
import { Emitter } from './emitter.ts';
import { DiscordApiError, DiscordError, GatewayFatalError, isStaleCommandError } from './errors.ts';
import { GatewaySession, type GatewaySessionOptions, type ReadyInfo } from './gateway/session.ts';
import { buildCommandData, findButton, InteractionHandle, type OptionValue } from './interactions.ts';
import { RestClient, type FetchResponse, type RestClientOptions } from './rest/client.ts';
import { compareSnowflakes, generateSnowflake, snowflakeFromTimestamp } from './snowflake.ts';
import type { ApplicationCommand, ApplicationCommandIndex, DiscordChannel, DiscordMessage, DiscordUser } from './types.ts';
import { directTransport, type Transport } from './transport.ts';
import { deleteUpload, uploadAttachments, type UploadFile } from './uploads.ts';

/** What happened to the account, in terms the health state machine understands (see `accounts/health.ts`). */
export type AccountSignal =
  | { type: 'ok'; source: 'rest' | 'gateway' }
  | { type: 'api_error'; error: DiscordApiError }
  /** Any 429, including those the client waits out by itself. */
  | { type: 'rate_limited'; retryAfterMs: number; global: boolean }
  | { type: 'gateway_fatal'; error: GatewayFatalError }
  /** `proxy` (masked) when the connections failed on the way through the account's proxy. */
  | { type: 'gateway_unreachable'; attempts: number; proxy?: string; detail?: string }
  | { type: 'required_action'; action: string };

export interface AccountClientEvents {
  ready: (info: ReadyInfo) => void;
  resumed: () => void;
  /** Every gateway dispatch, for callers that watch channels themselves. */
  dispatch: (event: string, data: unknown) => void;
  /** Health inputs: feed them to the account's health monitor. */
  signal: (signal: AccountSignal) => void;
}

export interface DiscordAccountClientOptions {
  token: string;
  /** e.g. `https://discord.com/api/v9`. */
  apiUrl: string;
  /** Fixed gateway URL; when absent `GET /gateway` is asked once and cached. */
  gatewayUrl?: string;
  rest?: Omit<RestClientOptions, 'token' | 'apiUrl' | 'onError' | 'onSuccess' | 'onRateLimited' | 'identity'>;
  gateway?: Omit<GatewaySessionOptions, 'token' | 'gatewayUrl' | 'identity' | 'agent'>;
  /** The browser this account passes as (profile layers already merged). Default: the default profile. */
  profile?: Partial<ClientProfile>;
  /** How the account reaches Discord (direct, or through its proxy). Default: direct. */
  transport?: Transport;
  commandCacheTtlMs?: number;
  /** How long invoke/click wait for a READY session. Default 30 s. */
  readyTimeoutMs?: number;
  /** Tolerated clock skew against Discord when ordering messages by snowflake. Default 2 s. */
  clockSkewMs?: number;
}

export interface InvokeCommandRequest {
  channelId: string;
  /** The guild of a guild channel; omit for DM channels. */
  guildId?: string;
  applicationId: string;
  name: string;
  /** 1 slash command (default), 3 message context menu (needs `targetId`). */
  commandType?: number;
  options?: Readonly<Record<string, OptionValue | undefined>>;
  /** Files by ATTACHMENT option name; uploaded through the cloud-upload flow first. */
  files?: Readonly<Record<string, UploadFile>>;
  subcommand?: readonly string[];
  targetId?: string;
  signal?: AbortSignal;
  /** The bot runs one command per channel: newer bot messages there answer this interaction (see correlation rule 6). */
  exclusiveChannel?: boolean;
  /** The prompt the bot will quote (`Prompt: …`), telling several pending jobs in one channel apart. */
  prompt?: string;
  /** The interaction's nonce, when the caller minted (and recorded) it before sending; a fresh one otherwise. */
  nonce?: string;
}

/** An interaction sent earlier (before a restart) to follow again: see {@link DiscordAccountClient.resumeFollowing}. */
export interface ResumeFollowingRequest {
  channelId: string;
  nonce: string;
  /** Discord's interaction id, if it was learned before the restart. */
  interactionId?: string;
  /** The bot's messages already known to answer it. */
  messageIds?: readonly string[];
  /** The bot, when known: enables the heuristic rules (references, mentions) as for a live interaction. */
  applicationId?: string;
  botUserId?: string;
  /** Slash commands: the command name (recognises replies whose interaction id was never learned). */
  commandName?: string;
  /** Button clicks: the clicked message. */
  clickedMessageId?: string;
  /** When the interaction was sent (epoch ms): older messages are never matched by heuristics. */
  sentAt: number;
  /** The bot runs one command per channel (correlation rule 6), as for a live interaction. */
  exclusiveChannel?: boolean;
  /** The prompt the bot quotes (`Prompt: …`). */
  prompt?: string;
}

/**
 * Everything one Discord user account does, behind one object: REST with its rate-limit domain,
 * the gateway session, the command cache, uploads, invoking and clicking, reply correlation, and
 * health signals. Keyed and logged by {@link accountKey} (a token hash), never by the token.
 */
export class DiscordAccountClient extends Emitter<AccountClientEvents> {
  readonly rest: RestClient;
  readonly gateway: GatewaySession;
  readonly commands: CommandCache;
  private readonly correlator: ReplyCorrelator;
  private readonly handles = new Set<InteractionHandle>();
  private gatewayUrlPromise: Promise<string> | undefined;
  private readyCount = 0;
  /** The one browser identity REST, uploads and the Gateway all present. */
  readonly identity: ClientIdentity;
  readonly transport: Transport;

  private readonly options: Omit<DiscordAccountClientOptions, 'token'>;

  constructor(options: DiscordAccountClientOptions) {
    super();
    const { token: _token, ...rest } = options;
    this.options = rest;
    this.identity = new ClientIdentity(options.profile);
    this.transport = options.transport ?? directTransport;
    this.rest = new RestClient({
      fetch: this.transport.fetch,
      ...options.rest,
      identity: this.identity,
      token: options.token,
      apiUrl: options.apiUrl,
      onError: (error) => this.emit('signal', { type: 'api_error', error }),
      onSuccess: () => this.emit('signal', { type: 'ok', source: 'rest' }),
      onRateLimited: ({ retryAfterMs, global }) => this.emit('signal', { type: 'rate_limited', retryAfterMs, global }),
    });
    this.commands = new CommandCache(this.rest, { ttlMs: options.commandCacheTtlMs });
    const transport = this.transport;
    this.gateway = new GatewaySession({
      ...(transport.createSocket ? { createSocket: (url: string) => transport.createSocket!(url, this.identity.gatewayHeaders()) } : {}),
      ...options.gateway,
      identity: this.identity,
      token: options.token,
      gatewayUrl: () => this.discoverGatewayUrl(),
    });
    this.correlator = new ReplyCorrelator(() => this.gateway.user?.id);

    this.gateway.on('dispatch', (event, data) => {
      this.correlator.handleDispatch(event, data);
      this.emit('dispatch', event, data);
    });
    this.gateway.on('ready', (info) => {
      this.emit('signal', { type: 'ok', source: 'gateway' });
      if (info.requiredAction) this.emit('signal', { type: 'required_action', action: info.requiredAction });
      this.emit('ready', info);
      // A fresh session after a lost one: events sent meanwhile were never replayed to us.
      if (this.readyCount++ > 0) void this.reconcileAll();
    });
    this.gateway.on('resumed', () => {
      this.emit('resumed');
      void this.reconcileAll();
    });
    this.gateway.on('fatal', (error) => {
      this.emit('signal', { type: 'gateway_fatal', error });
      for (const handle of this.handles) handle.fail(error);
    });
    this.gateway.on('unreachable', ({ attempts, error }) => {
      // A connection-level failure (refused, reset, timed out) on a proxied account is the proxy's.
      const proxied = this.transport.proxy && error && typeof (error as { code?: unknown }).code === 'string';
      this.emit('signal', {
        type: 'gateway_unreachable',
        attempts,
        ...(proxied ? { proxy: this.transport.proxy, detail: `gateway through proxy ${this.transport.proxy}: ${error.message}` } : {}),
      });
    });
  }

  /** Token hash: safe to log and to key maps with. */
  get accountKey(): string {
    return this.rest.accountKey;
  }

  /** The account's user, once the gateway is READY. */
  get user(): DiscordUser | undefined {
    return this.gateway.user;
  }

  /** Connects the gateway; resolves on READY. Safe to call again after `stop()` or a fatal close. */
  start(): Promise<ReadyInfo> {
    return this.gateway.start();
  }

  stop(): void {
    this.gateway.stop();
    for (const handle of [...this.handles]) handle.close();
  }

  /**
   * Downloads a file Discord serves (a CDN attachment URL) through the account's transport, with
   * the browser's headers for a cross-site media fetch, so it too leaves from the proxy.
   * A redirect fails the download instead of being followed: the caller checked the URL against
   * the address policy (result retention, issue 15), and a redirect would take the request to an
   * address nobody checked. Discord's CDN answers attachment URLs directly.
   */
  download(url: string, signal?: AbortSignal): Promise<FetchResponse> {
    const p = this.identity.profile;
    return this.transport.fetch(url, {
      headers: { 'User-Agent': p.userAgent, 'Accept': '*/*', 'Accept-Language': this.identity.gatewayHeaders()['Accept-Language']!, 'Referer': 'https://discord.com/' },
      signal: signal ?? AbortSignal.timeout(30_000),
      redirect: 'error',
    });
  }

  /**
   * `GET /users/@me`: is the token accepted right now? Emits no `signal`: the caller (the health
   * re-prober) reports the outcome itself, and a probe is not proof that real work succeeds.
   */
  probe(signal?: AbortSignal): Promise<DiscordUser> {
    return this.rest.request<DiscordUser>({ method: 'GET', path: '/users/@me', signal, silent: true });
  }

  getChannel(channelId: string, signal?: AbortSignal): Promise<DiscordChannel> {
    return this.rest.get<DiscordChannel>(`/channels/${channelId}`, undefined, signal);
  }

  /** Channel history, newest first (Discord's order). */
  listMessages(
    channelId: string,
    query: { limit?: number; before?: string; after?: string; around?: string } = {},
    signal?: AbortSignal,
  ): Promise<DiscordMessage[]> {
    return this.rest.get<DiscordMessage[]>(`/channels/${channelId}/messages`, { limit: query.limit ?? 50, before: query.before, after: query.after, around: query.around }, signal);
  }

  /**
   * One message, read the way the web client does: `GET /channels/{id}/messages?around={id}&limit=1`
   * and a check that the message returned is the one asked for. The single-message route
   * `GET /channels/{id}/messages/{id}` is bot-only: a user token gets 403 code 20002
   * (`real-world.md` §1; see `docs/discord-routes.md`). A missing message is a 404 code 10008
   * `unknown_message`, as the single-message route would have answered.
   */
  async getMessage(channelId: string, messageId: string, signal?: AbortSignal): Promise<DiscordMessage> {
    const around = await this.rest.get<DiscordMessage[]>(`/channels/${channelId}/messages`, { around: messageId, limit: 1 }, signal);
    const message = Array.isArray(around) ? around.find((m) => m.id === messageId) : undefined;
    if (message) return message;
    throw new DiscordApiError({
      kind: 'unknown_message',
      status: 404,
      code: 10008,
      method: 'GET',
      route: `/channels/${channelId}/messages?around=${messageId}&limit=1`,
      discordMessage: 'Unknown Message',
      body: undefined,
      retry: false,
    });
  }

  /** Looks a command up in the guild's or DM channel's command index (cached). */
  resolveCommand(query: { channelId: string; guildId?: string; applicationId: string; name: string; type?: number }): Promise<ApplicationCommand> {
    return this.commands.resolve(query);
  }

  /**
   * Runs a slash (or message-context) command: uploads the files, sends the interaction with a
   * fresh nonce and the live session id, and returns a handle that follows the bot's replies.
   * A stale command version is refreshed from the index and the call retried once.
   */
  async invokeCommand(req: InvokeCommandRequest): Promise<InteractionHandle> {
    const query = { channelId: req.channelId, guildId: req.guildId, applicationId: req.applicationId, name: req.name, type: req.commandType ?? 1 };
    await this.ensureReady(req.signal);
    let command = await this.commands.resolve(query);
    const fileNames = Object.keys(req.files ?? {});
    // Each file is named after its option (`<field>.<sniffed extension>`), whatever the caller called it.
    const files = fileNames.map((n) => ({ ...req.files![n]!, field: n }));
    const attachments = await uploadAttachments(this.rest, req.channelId, files, { signal: req.signal });
    const input = {
      options: req.options,
      attachmentOptions: Object.fromEntries(fileNames.map((n, i) => [n, i])),
      attachments,
      subcommand: req.subcommand,
      targetId: req.targetId,
    };
    let data = buildCommandData(command, input);
    const handle = this.follow(
      req.channelId,
      {
        applicationId: command.application_id,
        commandName: command.name_default ?? command.name,
        ...(req.exclusiveChannel ? { exclusiveChannel: true } : {}),
        ...(req.prompt ? { prompt: req.prompt } : {}),
      },
      req.nonce,
    );
    try {
      try {
        await this.postInteraction(2, command.application_id, req, handle.nonce, data);
      } catch (error) {
        if (!isStaleCommandError(error)) throw error;
        this.commands.invalidate(scopeOf(req));
        command = await this.commands.resolve(query, { refresh: true });
        data = buildCommandData(command, input);
        handle.renonce(generateSnowflake());
        await this.postInteraction(2, command.application_id, req, handle.nonce, data);
      }
    } catch (error) {
      handle.close();
      // The uploads will never be referenced: free them (best effort, the error that matters is the first).
      await Promise.all(attachments.map((a) => deleteUpload(this.rest, a.uploaded_filename).catch(() => undefined)));
      throw error;
    }
    return handle;
  }

  /** Clicks a button on a bot message (type-3 interaction) and follows the bot's answer. */
  async clickButton(message: DiscordMessage, customId: string, options: { guildId?: string; signal?: AbortSignal; nonce?: string } = {}): Promise<InteractionHandle> {
    const button = findButton(message, customId);
    await this.ensureReady(options.signal);
    const applicationId = message.application_id ?? message.author.id;
    const handle = this.follow(message.channel_id, { applicationId, botUserId: message.author.id, clickedMessageId: message.id }, options.nonce);
    const guildId = message.guild_id ?? options.guildId;
    return this.sendFollowed(handle, options.signal, {
      type: 3,
      nonce: handle.nonce,
      ...(guildId ? { guild_id: guildId } : {}),
      channel_id: message.channel_id,
      message_id: message.id,
      message_flags: message.flags ?? 0,
      application_id: applicationId,
      session_id: this.gateway.sessionId,
      data: { component_type: button.type, custom_id: customId },
    });
  }

  /**
   * Submits a modal the bot opened (the `modal` event of a handle: `INTERACTION_MODAL_CREATE`'s
   * data) with text values by input `custom_id`, as a type-5 interaction, and follows the answer.
   */
  async submitModal(
    modal: Record<string, unknown>,
    values: Readonly<Record<string, string>>,
    options: { guildId?: string; signal?: AbortSignal } = {},
  ): Promise<InteractionHandle> {
    const channelId = String(modal.channel_id);
    const application = modal.application as { id?: string; bot_id?: string } | undefined;
    const applicationId = String(application?.id ?? modal.application_id ?? '');
    if (!applicationId || !modal.id || !modal.custom_id) throw new DiscordError('invalid_options', 'not a modal: id, custom_id, channel_id and application are required');
    const rows = Array.isArray(modal.components) ? (modal.components as Array<{ type: number; components?: Array<Record<string, unknown>> }>) : [];
    const components = rows.map((row) => ({
      type: row.type,
      components: (row.components ?? []).map((input) => ({
        type: input.type,
        custom_id: input.custom_id,
        value: values[String(input.custom_id)] ?? (typeof input.value === 'string' ? input.value : ''),
      })),
    }));
    await this.ensureReady(options.signal);
    const handle = this.follow(channelId, { applicationId, ...(application?.bot_id ? { botUserId: application.bot_id } : {}) });
    return this.sendFollowed(handle, options.signal, {
      type: 5,
      application_id: applicationId,
      ...(options.guildId ? { guild_id: options.guildId } : {}),
      channel_id: channelId,
      session_id: this.gateway.sessionId,
      nonce: handle.nonce,
      data: { id: modal.id, custom_id: modal.custom_id, components },
    });
  }

  /**
   * Follows again an interaction sent before a restart (nothing is sent): the returned handle is
   * fed by the same correlation as a live one — first from the channel's history (replies sent
   * while nobody listened), then live — so a recovered job is followed exactly like a new one.
   */
  resumeFollowing(req: ResumeFollowingRequest): InteractionHandle {
    const since = snowflakeFromTimestamp(req.sentAt - (this.options.clockSkewMs ?? 2000));
    const handle = this.track(req.channelId, req.nonce, (nonce, listener) =>
      this.correlator.resume(
        {
          nonce,
          channelId: req.channelId,
          since,
          applicationId: req.applicationId ?? '',
          ...(req.botUserId ? { botUserId: req.botUserId } : {}),
          ...(req.commandName ? { commandName: req.commandName } : {}),
          ...(req.clickedMessageId ? { clickedMessageId: req.clickedMessageId } : {}),
          ...(req.interactionId ? { interactionId: req.interactionId } : {}),
          ...(req.exclusiveChannel ? { exclusiveChannel: true } : {}),
          ...(req.prompt ? { prompt: req.prompt } : {}),
          ...(req.messageIds ? { messageIds: req.messageIds } : {}),
        } satisfies ResumeSpec,
        listener,
      ),
    );
    // The channel's recent history, not only what is newer than our own clock's bound: until
    // the interaction id is known again, Discord's ids and our clock may disagree by seconds.
    // The matching rules decide what answers this interaction, as for live messages.
    void this.ensureReady()
      .then(async () => {
        const recent = await this.listMessages(req.channelId, { limit: 100 });
        for (const message of [...recent].sort((a, b) => compareSnowflakes(a.id, b.id))) this.correlator.observeHistoryMessage(message);
        await this.reconcileChannel(req.channelId);
      })
      .catch(() => undefined); // a failed session reaches the handle as `failed`; a failed read leaves the live feed
    return handle;
  }

  /** Posts an interaction whose replies `handle` already follows; the handle is closed if Discord refuses it. */
  private async sendFollowed(handle: InteractionHandle, signal: AbortSignal | undefined, body: Record<string, unknown>): Promise<InteractionHandle> {
    try {
      await this.rest.request({ method: 'POST', path: '/interactions', signal, body });
    } catch (error) {
      handle.close();
      throw error;
    }
    return handle;
  }

  /** Opens (or returns) the DM channel with a user, e.g. a bot (`POST /users/@me/channels`). */
  openDmChannel(recipientId: string, signal?: AbortSignal): Promise<DiscordChannel> {
    return this.rest.request<DiscordChannel>({ method: 'POST', path: '/users/@me/channels', body: { recipients: [recipientId] }, signal });
  }

  /**
   * The applications whose commands are available in a guild or DM channel — how a bot whose
   * application id is not public (Pika) is discovered from its DM channel.
   */
  async listApplications(where: { channelId: string; guildId?: string }): Promise<ApplicationCommandIndex['applications']> {
    return (await this.commands.index(scopeOf(where))).applications ?? [];
  }

  /** Reads recent history of every channel with pending interactions (after reconnects). */
  async reconcileAll(): Promise<void> {
    await Promise.all([...this.correlator.channels().keys()].map((id) => this.reconcileChannel(id).catch(() => undefined)));
  }

  /** Feeds messages newer than the oldest pending interaction of the channel through correlation. */
  async reconcileChannel(channelId: string): Promise<void> {
    const since = this.correlator.channels().get(channelId);
    if (!since) return;
    let after = since;
    for (let page = 0; page < 5; page++) {
      const batch = await this.listMessages(channelId, { after, limit: 100 });
      const oldestFirst = [...batch].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      for (const message of oldestFirst) this.correlator.observeHistoryMessage(message);
      if (batch.length < 100) return;
      after = oldestFirst[oldestFirst.length - 1]!.id;
    }
  }

  private follow(channelId: string, target: { applicationId: string; botUserId?: string; clickedMessageId?: string; commandName?: string; exclusiveChannel?: boolean; prompt?: string }, nonce = generateSnowflake()): InteractionHandle & { renonce(nonce: string): void } {
    const since = snowflakeFromTimestamp(Date.now() - (this.options.clockSkewMs ?? 2000));
    return this.track(channelId, nonce, (n, listener) => this.correlator.register({ nonce: n, channelId, since, ...target }, listener));
  }

  /** A handle fed by the correlator through `registration`, closed (and unregistered) with the client. */
  private track(
    channelId: string,
    nonce: string,
    register: (nonce: string, listener: Parameters<ReplyCorrelator['register']>[1]) => { renonce(nonce: string): void; unregister(): void },
  ): InteractionHandle & { renonce(nonce: string): void } {
    const handle = new InteractionHandle(nonce, channelId, () => this.reconcileChannel(channelId)) as InteractionHandle & { renonce(nonce: string): void };
    const registration = register(nonce, (event) => handle.handle(event));
    handle.renonce = (next: string) => {
      registration.renonce(next);
      handle.nonce = next;
    };
    this.handles.add(handle);
    handle.attach(() => {
      registration.unregister();
      this.handles.delete(handle);
    });
    return handle;
  }

  private async postInteraction(type: number, applicationId: string, req: InvokeCommandRequest, nonce: string, data: Record<string, unknown>): Promise<void> {
    await this.rest.request({
      method: 'POST',
      path: '/interactions',
      signal: req.signal,
      body: {
        type,
        application_id: applicationId,
        ...(req.guildId ? { guild_id: req.guildId } : {}),
        channel_id: req.channelId,
        session_id: this.gateway.sessionId,
        nonce,
        analytics_location: 'slash_ui',
        data,
      },
    });
  }

  private async ensureReady(signal?: AbortSignal): Promise<ReadyInfo> {
    const state = this.gateway.state;
    if (state === 'ready' && this.gateway.ready) return this.gateway.ready;
    // Also after a fatal close: the caller only sends work to accounts whose health is active
    // again (a probe succeeded), so a fresh IDENTIFY is the way back. If the token is still bad,
    // the new session fails with 4004 and waitReady rejects with a GatewayFatalError.
    if (state === 'idle' || state === 'stopped' || state === 'fatal') void this.gateway.start().catch(() => undefined);
    const timeout = AbortSignal.timeout(this.options.readyTimeoutMs ?? 30_000);
    return this.gateway.waitReady(signal ? AbortSignal.any([signal, timeout]) : timeout);
  }

  private discoverGatewayUrl(): Promise<string> {
    if (this.options.gatewayUrl) return Promise.resolve(this.options.gatewayUrl);
    this.gatewayUrlPromise ??= this.rest.get<{ url: string }>('/gateway').then(
      (r) => r.url,
      (error: unknown) => {
        this.gatewayUrlPromise = undefined;
        throw error;
      },
    );
    return this.gatewayUrlPromise;
  }
}
