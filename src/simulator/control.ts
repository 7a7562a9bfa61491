/** The in-process control surface ({@link SimulatorControl}); `control-http.ts` exposes it over HTTP. */
import { bumpVersion } from './bots/commands.ts';
import type { FaceswapStyle } from './bots/faceswap.ts';
import type { SimContext } from './context.ts';
import { emptyReport, type UserRecord } from './state.ts';
import { MidjourneyControlImpl } from './bots/midjourney-control.ts';
import { DEMO_ACCOUNT_CREATORS } from './bots/demo-accounts.ts';
import type {
  BotName,
  FaceswapAccount,
  FaceswapTemplates,
  PikaAccount,
  PikaTemplates,
  RestFault,
  SimDemoAccount,
  RestFaultMatch,
  SimChannel,
  SimGuild,
  SimulatorControl,
  SimulatorReport,
  SimUser,
} from './types.ts';

export class ControlError extends Error {
  override name = 'ControlError';
  constructor(message: string, readonly status = 404) {
    super(message);
  }
}

export class Control implements SimulatorControl {
  readonly midjourney: MidjourneyControlImpl;

  constructor(private readonly ctx: SimContext) {
    this.midjourney = new MidjourneyControlImpl(ctx, this);
  }

  get pikaApplicationId(): string {
    return this.ctx.pika.application.id;
  }

  createUser(options: { username?: string; token?: string } = {}): SimUser {
    if (options.token !== undefined && this.ctx.world.usersByToken.has(options.token)) throw new ControlError('token already in use', 409);
    return toSimUser(this.ctx.world.createUser(options));
  }

  getUser(userId: string): SimUser | undefined {
    const user = this.ctx.world.users.get(userId);
    return user && !user.bot ? toSimUser(user) : undefined;
  }

  createGuild(ownerId: string, options: { name?: string } = {}): SimGuild {
    this.user(ownerId);
    const guild = this.ctx.world.createGuild(ownerId, options.name ?? `guild ${this.ctx.world.guilds.size + 1}`);
    this.ctx.world.dispatcher(ownerId, 'GUILD_CREATE', this.ctx.world.guildJson(guild));
    return { id: guild.id, name: guild.name, ownerId };
  }

  addGuildMember(guildId: string, userId: string): void {
    this.user(userId);
    const guild = this.guild(guildId);
    if (guild.members.has(userId)) return;
    guild.members.add(userId);
    this.ctx.world.dispatcher(userId, 'GUILD_CREATE', this.ctx.world.guildJson(guild));
  }

  createTextChannel(guildId: string, options: { name?: string } = {}): SimChannel {
    this.guild(guildId);
    const channel = this.ctx.world.createChannel({ type: 0, guildId, name: options.name ?? 'api', recipients: [] });
    this.ctx.world.broadcast(channel, 'CHANNEL_CREATE', this.ctx.world.channelJson(channel));
    return { id: channel.id, type: 0, guildId, name: channel.name! };
  }

  installFaceswapBot(guildId: string): void {
    const guild = this.guild(guildId);
    guild.applications.add(this.ctx.faceswap.application.id);
    guild.members.add(this.ctx.faceswap.application.botUserId);
  }

  openPikaDm(userId: string): string {
    const world = this.ctx.world;
    this.user(userId);
    const bot = this.ctx.pika.application.botUserId;
    return world.openDm(userId, bot).id;
  }

  createFaceswapAccount(options: { username?: string; token?: string } = {}): FaceswapAccount {
    const user = this.createUser(options);
    const guild = this.createGuild(user.id, { name: `${user.username}'s server` });
    const channel = this.createTextChannel(guild.id, { name: 'api' });
    this.installFaceswapBot(guild.id);
    return { user, guildId: guild.id, channelId: channel.id };
  }

  createPikaAccount(options: { username?: string; token?: string } = {}): PikaAccount {
    const user = this.createUser(options);
    return { user, channelId: this.openPikaDm(user.id), applicationId: this.pikaApplicationId };
  }

  demoAccounts(): SimDemoAccount[] {
    return DEMO_ACCOUNT_CREATORS.map(({ bot, create }) => ({ bot, ...create(this, { username: `${bot}-demo` }) }));
  }

  revokeToken(userId: string): void {
    this.user(userId).revoked = true;
    this.ctx.gateway.closeUser(userId, 4004, 'Authentication failed.');
  }

  restoreToken(userId: string): void {
    this.user(userId).revoked = false;
  }

  setRequiredAction(userId: string, action: string | null): void {
    this.user(userId).requiredAction = action;
  }

  setCredits(userId: string, credits: { total?: number; used?: number }): void {
    const current = this.ctx.world.credits(this.user(userId));
    if (credits.total !== undefined) current.total = credits.total;
    if (credits.used !== undefined) current.used = credits.used;
  }

  getCredits(userId: string): { total: number; used: number } {
    const { total, used } = this.ctx.world.credits(this.user(userId));
    return { total, used };
  }

  setBotLatency(ms: number): void {
    this.ctx.engine.botLatencyMs = Math.max(0, ms);
  }

  dropNextInteractions(count: number, bot?: BotName): void {
    this.ctx.engine.dropNext(count, bot);
  }

  bumpCommandVersion(bot: BotName, commandName: string): string {
    try {
      return bumpVersion(this.ctx.world, this.ctx[bot].application, commandName);
    } catch (error) {
      throw new ControlError(error instanceof Error ? error.message : String(error));
    }
  }

  renameCommandOption(bot: BotName, commandName: string, option: string, newName: string): void {
    const command = this.ctx[bot].application.commands.find((c) => c.name === commandName);
    const def = command?.options.find((o) => o.name === option);
    if (!command || !def) throw new ControlError(`unknown option ${option} of ${commandName}`);
    def.name = newName;
    command.version = this.ctx.world.ids.next();
  }

  removeCommand(bot: BotName, commandName: string): void {
    const app = this.ctx[bot].application;
    const before = app.commands.length;
    app.commands = app.commands.filter((c) => c.name !== commandName);
    if (app.commands.length === before) throw new ControlError(`unknown command ${commandName}`);
  }

  removeFaceswapBot(guildId: string): void {
    const guild = this.guild(guildId);
    guild.applications.delete(this.ctx.faceswap.application.id);
    guild.members.delete(this.ctx.faceswap.application.botUserId);
  }

  listCommands(bot: BotName): { id: string; name: string; version: string; type: number }[] {
    return this.ctx[bot].application.commands.map(({ id, name, version, type }) => ({ id, name, version, type }));
  }

  setBannedWords(words: string[]): void {
    this.ctx.pika.bannedWords = [...words];
  }

  setFaceswapTemplates(templates: Partial<FaceswapTemplates>): void {
    Object.assign(this.ctx.faceswap.templates, templates);
  }

  setPikaTemplates(templates: Partial<PikaTemplates>): void {
    Object.assign(this.ctx.pika.templates, templates);
  }

  setFaceswapResultStyle(style: 'message' | 'follow-up'): void {
    if (style !== 'message' && style !== 'follow-up') throw new ControlError('style must be message or follow-up', 400);
    this.ctx.faceswap.resultStyle = style;
  }

  setFaceswapStyle(style: Partial<FaceswapStyle>): FaceswapStyle {
    const allowed: { [K in keyof FaceswapStyle]: readonly FaceswapStyle[K][] } = {
      ack: ['public', 'ephemeral', 'none'],
      result: ['message', 'message-no-mention', 'follow-up', 'edit', 'reply'],
      errors: ['content', 'embed'],
      textReplies: ['direct', 'after-ack'],
    };
    for (const [key, value] of Object.entries(style ?? {})) {
      const options = allowed[key as keyof FaceswapStyle] as readonly string[] | undefined;
      if (!options) throw new ControlError(`unknown style ${key}; known: ${Object.keys(allowed).join(', ')}`, 400);
      if (!options.includes(value as string)) throw new ControlError(`style ${key} must be one of ${options.join(', ')}`, 400);
    }
    this.ctx.faceswap.style = { ...this.ctx.faceswap.style, ...style };
    return { ...this.ctx.faceswap.style };
  }

  answerLateNextFaceswapJobs(count: number): void {
    this.ctx.faceswap.answerLate(count);
  }

  failNextFaceswapJobs(count: number, kind: 'noFace' | 'botError'): void {
    this.ctx.faceswap.failNext(count, kind);
  }

  setPikaConcurrency(limit: number): void {
    this.ctx.pika.setConcurrency(limit);
  }

  injectRestFault(userId: string, fault: RestFault, count = 1, match: RestFaultMatch = {}): void {
    this.user(userId);
    const kinds: RestFault['kind'][] = ['rate-limit', 'server-error', 'captcha', 'verification-required', 'anti-abuse', 'unauthorized'];
    if (!kinds.includes(fault?.kind)) throw new ControlError(`fault.kind must be one of ${kinds.join(', ')}`, 400);
    this.ctx.faults.add(userId, fault, count, match);
  }

  clearRestFaults(userId?: string): void {
    this.ctx.faults.clear(userId);
  }

  closeSessions(userId: string, code: number, reason?: string): number {
    this.user(userId);
    return this.ctx.gateway.closeUser(userId, code, reason);
  }

  sendReconnect(userId: string): number {
    return this.ctx.gateway.sendReconnect(this.user(userId).id);
  }

  sendInvalidSession(userId: string, resumable: boolean): number {
    return this.ctx.gateway.sendInvalidSession(this.user(userId).id, resumable);
  }

  suppressHeartbeatAcks(userId: string, count: number): void {
    this.ctx.gateway.suppressAcks(this.user(userId).id, count);
  }

  connectedSessions(userId: string): number {
    return this.ctx.gateway.connectedSessions(userId);
  }

  deleteMessage(channelId: string, messageId: string): void {
    const channel = this.ctx.world.channels.get(channelId);
    const record = this.ctx.world.messages.get(messageId);
    if (!channel || !record || record.json.channel_id !== channelId) throw new ControlError('unknown message');
    this.ctx.messages.delete(channel, record);
  }

  advanceTime(ms: number): void {
    this.ctx.world.clockOffsetMs += ms;
  }

  report(): SimulatorReport {
    return structuredClone(this.ctx.world.report);
  }

  resetReport(): void {
    this.ctx.world.report = emptyReport();
  }

  private user(userId: string): UserRecord {
    const user = this.ctx.world.users.get(userId);
    if (!user || user.bot) throw new ControlError(`unknown user ${userId}`);
    return user;
  }

  private guild(guildId: string) {
    const guild = this.ctx.world.guilds.get(guildId);
    if (!guild) throw new ControlError(`unknown guild ${guildId}`);
    return guild;
  }
}

function toSimUser(user: UserRecord): SimUser {
  return { id: user.id, token: user.token, username: user.username };
}
