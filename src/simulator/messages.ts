/**
 * Creating, editing and deleting messages, with the matching gateway events. Bots and the REST
 * routes both go through here, so every message has the same shape (spec §3.1) and the same
 * fan-out rules (channel audience; ephemeral messages only to their owner).
 */
import type { Cdn } from './cdn.ts';
import type { ChannelRecord, MessageRecord, StoredFile, UserRecord, World } from './state.ts';

export interface NewMessage {
  author: UserRecord;
  content?: string;
  files?: StoredFile[];
  components?: unknown[];
  embeds?: unknown[];
  flags?: number;
  /** 0 DEFAULT, 19 REPLY, 20 CHAT_INPUT_COMMAND, 23 CONTEXT_MENU_COMMAND. */
  type?: number;
  nonce?: string | null;
  applicationId?: string;
  interactionMetadata?: Record<string, unknown>;
  interaction?: Record<string, unknown>;
  messageReference?: { message_id: string; channel_id: string; guild_id?: string };
  ephemeralFor?: string;
  interactionData?: Record<string, unknown>;
}

export interface MessagePatch {
  content?: string;
  files?: StoredFile[];
  components?: unknown[];
  embeds?: unknown[];
  flags?: number;
}

export class Messages {
  constructor(
    private readonly world: World,
    private readonly cdn: Cdn,
  ) {}

  create(channel: ChannelRecord, input: NewMessage): MessageRecord {
    const world = this.world;
    const id = world.ids.next();
    const content = input.content ?? '';
    const reference = input.messageReference ? { type: 0, ...input.messageReference } : undefined;
    const referenced = reference ? world.messages.get(reference.message_id) : undefined;
    const record: MessageRecord = {
      files: input.files ?? [],
      deleted: false,
      ...(input.ephemeralFor ? { ephemeralFor: input.ephemeralFor } : {}),
      ...(input.interactionData ? { interactionData: input.interactionData } : {}),
      json: {
        id,
        type: input.type ?? 0,
        channel_id: channel.id,
        author: world.publicUser(input.author),
        content,
        timestamp: world.timestamp(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: this.mentions(content),
        mention_roles: [],
        pinned: false,
        attachments: [],
        embeds: input.embeds ?? [],
        components: input.components ?? [],
        flags: input.flags ?? 0,
        ...(input.nonce != null ? { nonce: input.nonce } : {}),
        ...(input.applicationId ? { application_id: input.applicationId, webhook_id: input.applicationId } : {}),
        ...(input.interactionMetadata ? { interaction_metadata: input.interactionMetadata } : {}),
        ...(input.interaction ? { interaction: input.interaction } : {}),
        ...(reference ? { message_reference: reference, referenced_message: referenced && !referenced.deleted ? this.render(referenced) : null } : {}),
      },
    };
    channel.messages.push(record);
    world.messages.set(id, record);
    world.broadcast(channel, 'MESSAGE_CREATE', this.toGateway(channel, record), record.ephemeralFor);
    return record;
  }

  edit(channel: ChannelRecord, record: MessageRecord, patch: MessagePatch): MessageRecord {
    if (record.deleted) return record;
    const json = record.json;
    if (patch.content !== undefined) {
      json.content = patch.content;
      json.mentions = this.mentions(patch.content);
    }
    if (patch.files !== undefined) record.files = patch.files;
    if (patch.components !== undefined) json.components = patch.components;
    if (patch.embeds !== undefined) json.embeds = patch.embeds;
    if (patch.flags !== undefined) json.flags = patch.flags;
    json.edited_timestamp = this.world.timestamp();
    this.world.broadcast(channel, 'MESSAGE_UPDATE', this.toGateway(channel, record), record.ephemeralFor);
    return record;
  }

  delete(channel: ChannelRecord, record: MessageRecord): void {
    if (record.deleted) return;
    record.deleted = true;
    const data = { id: record.json.id, channel_id: channel.id, ...(channel.guildId ? { guild_id: channel.guildId } : {}) };
    this.world.broadcast(channel, 'MESSAGE_DELETE', data, record.ephemeralFor);
  }

  /** The REST shape: attachments re-signed on every read. */
  render(record: MessageRecord): Record<string, unknown> {
    return { ...record.json, attachments: record.files.map((file) => this.cdn.attachmentJson(file)) };
  }

  /** The gateway shape: REST shape plus `channel_type`, and `guild_id`/`member` in guilds (not for ephemerals). */
  toGateway(channel: ChannelRecord, record: MessageRecord): Record<string, unknown> {
    const extra: Record<string, unknown> = { channel_type: channel.type };
    if (channel.guildId && !record.ephemeralFor) {
      extra.guild_id = channel.guildId;
      extra.member = { roles: [], joined_at: this.world.timestamp(), deaf: false, mute: false, flags: 0 };
    }
    return { ...this.render(record), ...extra };
  }

  /** A message visible to `userId` (not deleted; ephemerals only for their owner). */
  visible(channel: ChannelRecord, messageId: string, userId: string): MessageRecord | undefined {
    const record = this.world.messages.get(messageId);
    if (!record || record.deleted || record.json.channel_id !== channel.id) return undefined;
    if (record.ephemeralFor && record.ephemeralFor !== userId) return undefined;
    return record;
  }

  private mentions(content: string): Record<string, unknown>[] {
    const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!));
    return [...ids].map((id) => this.world.users.get(id)).filter((u): u is UserRecord => !!u).map((u) => this.world.publicUser(u));
  }
}
