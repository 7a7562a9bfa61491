/** Channels, messages and the application-command indexes. */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import type { ApplicationRecord, ChannelRecord, GuildRecord, StoredFile, UserRecord } from '../state.ts';
import { requestUser } from './auth.ts';
import { contentTypeFor, readPayload } from './body.ts';
import { botsOnly, DiscordHttpError, formError, missingAccess, unknownChannel, unknownGuild, unknownMessage, uploadNotFound } from './errors.ts';

type ChannelParams = { Params: { channelId: string } };

export function channelFor(ctx: SimContext, channelId: string, user: UserRecord): ChannelRecord {
  const channel = ctx.world.channels.get(channelId);
  if (!channel) throw unknownChannel();
  if (!ctx.world.canAccess(user.id, channel)) throw missingAccess();
  return channel;
}

function guildFor(ctx: SimContext, guildId: string, user: UserRecord): GuildRecord {
  const guild = ctx.world.guilds.get(guildId);
  if (!guild) throw unknownGuild();
  if (!guild.members.has(user.id)) throw missingAccess();
  return guild;
}

/** The application-command index object (spec §1.2). */
export function commandIndex(apps: ApplicationRecord[]): Record<string, unknown> {
  const commands = apps.flatMap((app) => app.commands);
  const version = commands.reduce((max, c) => (BigInt(c.version) > max ? BigInt(c.version) : max), 0n).toString();
  return {
    applications: apps.map((a) => ({ id: a.id, name: a.name, description: a.description, icon: null, bot_id: a.botUserId, flags: 0, permissions: {} })),
    application_commands: commands.map((c, rank) => ({
      id: c.id,
      application_id: c.applicationId,
      version: c.version,
      type: c.type,
      name: c.name,
      description: c.description,
      ...(c.type === 1 ? { options: c.options } : {}),
      dm_permission: true,
      contexts: [0, 1, 2],
      integration_types: [0],
      global_popularity_rank: rank + 1,
    })),
    version,
  };
}

export function registerChannelRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world, messages } = ctx;

  app.get<ChannelParams>('/channels/:channelId', async (request) => {
    const user = requestUser(request);
    return world.channelJson(channelFor(ctx, request.params.channelId, user), user.id);
  });

  app.get<{ Params: { guildId: string } }>('/guilds/:guildId', async (request) => world.guildJson(guildFor(ctx, request.params.guildId, requestUser(request))));

  app.get<{ Params: { guildId: string } }>('/guilds/:guildId/channels', async (request) => {
    const guild = guildFor(ctx, request.params.guildId, requestUser(request));
    return guild.channels.map((id) => world.channels.get(id)).filter((c): c is ChannelRecord => !!c).map((c) => world.channelJson(c));
  });

  app.get<{ Params: { guildId: string } }>('/guilds/:guildId/application-command-index', async (request) => {
    const guild = guildFor(ctx, request.params.guildId, requestUser(request));
    return commandIndex([...world.applications.values()].filter((a) => guild.applications.has(a.id)));
  });

  // Private channels only: in a bot DM it lists that bot's commands.
  app.get<ChannelParams>('/channels/:channelId/application-command-index', async (request) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    if (channel.type !== 1) throw missingAccess();
    return commandIndex(world.applicationsIn(channel));
  });

  const appVisible = (appId: string, user: UserRecord): ApplicationRecord => {
    const application = world.applications.get(appId);
    const reachable = application && [...world.channels.values()].some((c) => world.canAccess(user.id, c) && world.applicationsIn(c).includes(application));
    if (!application || !reachable) throw missingAccess();
    return application;
  };
  app.get<{ Params: { applicationId: string } }>('/applications/:applicationId/application-command-index', async (request) =>
    commandIndex([appVisible(request.params.applicationId, requestUser(request))]),
  );
  app.get<{ Params: { applicationId: string } }>('/applications/:applicationId/commands', async (request) => {
    const index = commandIndex([appVisible(request.params.applicationId, requestUser(request))]);
    return index.application_commands;
  });

  app.get<ChannelParams & { Querystring: { limit?: string; before?: string; after?: string; around?: string } }>('/channels/:channelId/messages', async (request) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 50) || 50));
    let list = channel.messages.filter((m) => !m.deleted && !m.ephemeralFor);
    const { before, after, around } = request.query;
    if (before) list = list.filter((m) => BigInt(m.json.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.json.id) > BigInt(after));
    if (around) {
      const at = list.findIndex((m) => BigInt(m.json.id) >= BigInt(around));
      const start = Math.max(0, (at < 0 ? list.length : at) - Math.floor(limit / 2));
      list = list.slice(start, start + limit);
    } else if (after) list = list.slice(0, limit);
    else list = list.slice(-limit);
    return list.reverse().map((m) => messages.render(m));
  });

  // Bot-only: real Discord refuses a user token here (real-world.md §1). Every simulated REST
  // caller is a user, so the route always answers 403 code 20002 — a client regression fails loudly.
  app.get<{ Params: { channelId: string; messageId: string } }>('/channels/:channelId/messages/:messageId', async () => {
    throw botsOnly();
  });

  // Which command produced a bot's interaction response (spec §1.6).
  app.get<{ Params: { channelId: string; messageId: string } }>('/channels/:channelId/messages/:messageId/interaction-data', async (request) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    const record = messages.visible(channel, request.params.messageId, user.id);
    if (!record?.interactionData) throw unknownMessage();
    return record.interactionData;
  });

  // A user's own message, with cloud-uploaded (`attachments[].uploaded_filename`) or inline files.
  app.post<ChannelParams>('/channels/:channelId/messages', async (request) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    const { json, files: inline } = await readPayload(request);
    const content = typeof json.content === 'string' ? json.content : '';
    const specs = Array.isArray(json.attachments) ? (json.attachments as Record<string, unknown>[]) : [];
    const stored: StoredFile[] = [];
    for (const [i, spec] of specs.entries()) {
      const uploaded = typeof spec.uploaded_filename === 'string' ? spec.uploaded_filename : undefined;
      if (uploaded) {
        const upload = world.uploads.get(uploaded);
        if (!upload || upload.userId !== user.id || !upload.bytes) throw uploadNotFound();
        world.uploads.delete(uploaded);
        const name = typeof spec.filename === 'string' ? spec.filename : upload.filename;
        stored.push(ctx.cdn.store('attachments', channel.id, name, upload.bytes, contentTypeFor(name, upload.contentType)));
        continue;
      }
      const file = inline.get(Number(spec.id ?? i));
      if (!file) throw formError([{ path: ['attachments', i], code: 'ATTACHMENT_NOT_FOUND', message: 'Attachment data not found' }]);
      stored.push(ctx.cdn.store('attachments', channel.id, file.filename, file.bytes, contentTypeFor(file.filename, file.contentType)));
    }
    if (specs.length === 0) for (const file of inline.values()) stored.push(ctx.cdn.store('attachments', channel.id, file.filename, file.bytes, contentTypeFor(file.filename, file.contentType)));
    if (!content && stored.length === 0) throw new DiscordHttpError(400, { message: 'Cannot send an empty message', code: 50006 });
    const record = messages.create(channel, { author: user, content, files: stored, nonce: typeof json.nonce === 'string' ? json.nonce : null });
    return messages.render(record);
  });

  app.delete<{ Params: { channelId: string; messageId: string } }>('/channels/:channelId/messages/:messageId', async (request, reply) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    const record = messages.visible(channel, request.params.messageId, user.id);
    if (!record) throw unknownMessage();
    if ((record.json.author as { id: string }).id !== user.id) throw missingAccess();
    messages.delete(channel, record);
    return reply.code(204).send();
  });
}
