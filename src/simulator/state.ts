/**
 * The simulated world: users, guilds, channels, messages, uploads and stored files, plus the
 * bookkeeping every other part shares (clock, ids, report). Plain in-memory maps — the simulator is
 * a test double and a demo, never durable.
 */
import { Random, SnowflakeFactory } from './snowflake.ts';
import type { SimulatorReport } from './types.ts';

export interface UserRecord {
  id: string;
  username: string;
  token: string;
  revoked: boolean;
  /** e.g. REQUIRE_VERIFIED_PHONE: READY carries it and every write answers 403 40002. */
  requiredAction: string | null;
  bot: boolean;
  credits: { total: number; used: number; day: string };
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  members: Set<string>;
  applications: Set<string>;
  channels: string[];
}

export interface ChannelRecord {
  id: string;
  type: 0 | 1;
  guildId?: string;
  name?: string;
  /** DM recipients (both ends). */
  recipients: string[];
  messages: MessageRecord[];
}

/** A Discord message as sent on the wire; kept loose because bots fill different fields. */
export interface ApiMessage {
  id: string;
  channel_id: string;
  content: string;
  flags: number;
  attachments: ApiAttachment[];
  components: unknown[];
  [key: string]: unknown;
}

export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  url: string;
  proxy_url: string;
  width?: number;
  height?: number;
  [key: string]: unknown;
}

export interface MessageRecord {
  /** The wire object; `attachments` is re-rendered from `files` on every read (URLs are re-signed). */
  json: ApiMessage;
  files: StoredFile[];
  /** Set for ephemeral messages: only this user sees them, and never through REST. */
  ephemeralFor?: string;
  deleted: boolean;
  /** For interaction responses: what `GET …/messages/{id}/interaction-data` returns. */
  interactionData?: Record<string, unknown>;
}

export interface UploadRecord {
  uploadFilename: string;
  filename: string;
  userId: string;
  channelId: string;
  bytes?: Buffer;
  contentType?: string;
}

/** Bytes served by the CDN under `/{kind}/{scope}/{id}/{filename}`. */
export interface StoredFile {
  id: string;
  kind: 'attachments' | 'ephemeral-attachments';
  /** Channel id for attachments, application id for ephemeral attachments. */
  scope: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  width?: number;
  height?: number;
}

export interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string | number }[];
  max_length?: number;
  min_value?: number;
  max_value?: number;
}

export interface CommandRecord {
  id: string;
  applicationId: string;
  version: string;
  /** 1 CHAT_INPUT, 3 MESSAGE (context menu). */
  type: number;
  name: string;
  description: string;
  options: CommandOption[];
}

export interface ApplicationRecord {
  id: string;
  name: string;
  description: string;
  botUserId: string;
  commands: CommandRecord[];
}

/** Gateway fan-out, installed by the gateway server. */
export type Dispatcher = (userId: string, event: string, data: unknown) => void;

export function emptyReport(): SimulatorReport {
  return { fingerprintViolations: [], fingerprints: {}, rateLimitViolations: [], faceswapOverlaps: [], duplicateNonces: [], staleVersions: [], interactions: [], requests: {} };
}

export class World {
  readonly ids: SnowflakeFactory;
  readonly random: Random;
  readonly users = new Map<string, UserRecord>();
  readonly usersByToken = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly uploads = new Map<string, UploadRecord>();
  readonly files = new Map<string, StoredFile>();
  readonly applications = new Map<string, ApplicationRecord>();
  report: SimulatorReport = emptyReport();
  /** `userId|nonce` of every accepted interaction (duplicate detection survives report resets). */
  readonly seenNonces = new Set<string>();
  /** Added to Date.now(): lets tests expire URLs and reset daily credits without waiting. */
  clockOffsetMs = 0;
  dispatcher: Dispatcher = () => {};

  constructor(seed: number | undefined, readonly dailyCredits: number) {
    this.ids = new SnowflakeFactory(seed);
    this.random = new Random(seed ?? (Date.now() & 0x7fffffff));
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Discord's timestamp format: ISO 8601 with microseconds and an explicit offset. */
  timestamp(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
  }

  createUser(options: { username?: string; token?: string; bot?: boolean; id?: string } = {}): UserRecord {
    const id = options.id ?? this.ids.next();
    const username = options.username ?? `user${this.users.size + 1}`;
    const token = options.token ?? `${Buffer.from(id).toString('base64url')}.${this.random.hex(6)}.${this.random.hex(38)}`;
    if (this.usersByToken.has(token)) throw new Error('token already in use');
    const user: UserRecord = { id, username, token, revoked: false, requiredAction: null, bot: options.bot ?? false, credits: { total: this.dailyCredits, used: 0, day: this.day() } };
    this.users.set(id, user);
    if (!user.bot) this.usersByToken.set(token, user);
    return user;
  }

  day(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  /** Credits with the daily reset applied (the bot resets usage at 00:00 UTC). */
  credits(user: UserRecord): UserRecord['credits'] {
    const today = this.day();
    if (user.credits.day !== today) user.credits = { ...user.credits, used: 0, day: today };
    return user.credits;
  }

  createGuild(ownerId: string, name: string): GuildRecord {
    const guild: GuildRecord = { id: this.ids.next(), name, ownerId, members: new Set([ownerId]), applications: new Set(), channels: [] };
    this.guilds.set(guild.id, guild);
    return guild;
  }

  createChannel(channel: Omit<ChannelRecord, 'id' | 'messages'>): ChannelRecord {
    const record: ChannelRecord = { ...channel, id: this.ids.next(), messages: [] };
    this.channels.set(record.id, record);
    if (record.guildId) this.guilds.get(record.guildId)?.channels.push(record.id);
    return record;
  }

  /** Whether a user can see a channel: guild membership or DM recipient. */
  canAccess(userId: string, channel: ChannelRecord): boolean {
    if (channel.type === 1) return channel.recipients.includes(userId);
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    return guild?.members.has(userId) ?? false;
  }

  /** The users a channel event goes to. */
  audience(channel: ChannelRecord): string[] {
    if (channel.type === 1) return channel.recipients;
    return [...(this.guilds.get(channel.guildId ?? '')?.members ?? [])];
  }

  dmBetween(userId: string, otherId: string): ChannelRecord | undefined {
    for (const channel of this.channels.values()) {
      if (channel.type === 1 && channel.recipients.includes(userId) && channel.recipients.includes(otherId)) return channel;
    }
    return undefined;
  }

  /** The DM between two users, created (with CHANNEL_CREATE to both) when missing. */
  openDm(userId: string, otherId: string): ChannelRecord {
    const existing = this.dmBetween(userId, otherId);
    if (existing) return existing;
    const channel = this.createChannel({ type: 1, recipients: [userId, otherId] });
    for (const id of channel.recipients) if (!this.users.get(id)?.bot) this.dispatcher(id, 'CHANNEL_CREATE', this.channelJson(channel, id));
    return channel;
  }

  /** Applications usable in a channel: installed in its guild, or the bot on the other end of a DM. */
  applicationsIn(channel: ChannelRecord): ApplicationRecord[] {
    const out: ApplicationRecord[] = [];
    for (const app of this.applications.values()) {
      if (channel.type === 1 ? channel.recipients.includes(app.botUserId) : this.guilds.get(channel.guildId ?? '')?.applications.has(app.id)) out.push(app);
    }
    return out;
  }

  publicUser(user: UserRecord): Record<string, unknown> {
    return { id: user.id, username: user.username, global_name: user.bot ? null : user.username, discriminator: '0', avatar: null, public_flags: 0, ...(user.bot ? { bot: true } : {}) };
  }

  /** The full `/users/@me` object (private fields included). */
  selfUser(user: UserRecord): Record<string, unknown> {
    return { ...this.publicUser(user), mfa_enabled: false, locale: 'en-US', email: `${user.username}@example.invalid`, verified: true, flags: 0, premium_type: 0 };
  }

  channelJson(channel: ChannelRecord, viewerId?: string): Record<string, unknown> {
    if (channel.type === 1) {
      const others = channel.recipients.filter((id) => id !== viewerId).map((id) => this.users.get(id)).filter((u): u is UserRecord => !!u);
      const last = channel.messages.at(-1)?.json.id ?? null;
      return { id: channel.id, type: 1, last_message_id: last, flags: 0, recipients: others.map((u) => this.publicUser(u)) };
    }
    return { id: channel.id, type: 0, guild_id: channel.guildId, name: channel.name, position: 0, parent_id: null, topic: null, nsfw: false, last_message_id: channel.messages.at(-1)?.json.id ?? null, rate_limit_per_user: 0, permission_overwrites: [], flags: 0 };
  }

  guildJson(guild: GuildRecord): Record<string, unknown> {
    return {
      id: guild.id, name: guild.name, owner_id: guild.ownerId, icon: null, unavailable: false,
      member_count: guild.members.size, joined_at: this.timestamp(),
      channels: guild.channels.map((id) => this.channels.get(id)).filter((c): c is ChannelRecord => !!c).map((c) => this.channelJson(c)),
      roles: [], emojis: [], features: [],
    };
  }

  /** Sends a gateway event to every user who sees the channel (only the owner for ephemerals). */
  broadcast(channel: ChannelRecord, event: string, data: unknown, onlyUser?: string): void {
    for (const userId of onlyUser ? [onlyUser] : this.audience(channel)) {
      const user = this.users.get(userId);
      if (user && !user.bot) this.dispatcher(userId, event, data);
    }
  }
}
