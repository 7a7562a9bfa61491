/**
 * `POST /interactions` (JSON or multipart `payload_json` + `files[n]`), validated the way Discord
 * does (spec §7.3) before answering 204 and handing the interaction to the lifecycle engine.
 */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import type { InteractionRecord } from '../interactions.ts';
import type { ApplicationRecord, CommandOption, CommandRecord, StoredFile, UserRecord } from '../state.ts';
import { requestUser } from './auth.ts';
import { contentTypeFor, readPayload, type InlineFile } from './body.ts';
import { channelFor } from './channels.ts';
import { formError, type FormIssue, unknownCommand, unknownInteraction, unknownMessage, uploadNotFound } from './errors.ts';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

export function registerInteractionRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/interactions', async (request, reply) => {
    const user = requestUser(request);
    const { json, files } = await readPayload(request);
    const interaction = buildInteraction(ctx, user, json, files);
    const deliver = interaction.type !== 3 || componentExists(interaction);
    if (interaction.nonce !== null) {
      const key = `${user.id}|${interaction.nonce}`;
      if (ctx.world.seenNonces.has(key)) ctx.world.report.duplicateNonces.push({ userId: user.id, nonce: interaction.nonce, at: new Date().toISOString() });
      ctx.world.seenNonces.add(key);
    }
    ctx.engine.accept(interaction, { deliver });
    return reply.code(204).send();
  });
}

function buildInteraction(ctx: SimContext, user: UserRecord, body: Json, inline: Map<number, InlineFile>): InteractionRecord {
  const type = body.type;
  const data = (body.data ?? undefined) as Json | undefined;
  const required: FormIssue[] = [];
  if (type !== 2 && type !== 3 && type !== 5) required.push({ path: ['type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {2, 3, 5}.' });
  if (!str(body.channel_id)) required.push({ path: ['channel_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  if (!str(body.application_id)) required.push({ path: ['application_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  if (!data || typeof data !== 'object') required.push({ path: ['data'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  if (required.length > 0 || !data) throw formError(required);

  const channel = channelFor(ctx, str(body.channel_id)!, user);
  const applicationId = str(body.application_id)!;
  const nonce = str(body.nonce) ?? null;
  const id = ctx.world.ids.next();
  const application = ctx.world.applicationsIn(channel).find((a) => a.id === applicationId);

  const base = {
    id,
    token: `aW50ZXJhY3Rpb246${id}:${ctx.world.random.hex(40)}`,
    nonce,
    type: type as number,
    user,
    channel,
    options: new Map<string, string | number | boolean>(),
    files: new Map<string, StoredFile>(),
    state: 'pending' as const,
  };
  const received = (name: string) => ({
    id,
    nonce,
    userId: user.id,
    channelId: channel.id,
    guildId: channel.guildId ?? null,
    applicationId,
    type: type as number,
    name,
    outcome: 'pending' as const,
    receivedAt: new Date().toISOString(),
  });

  if (type === 2) {
    const command = application?.commands.find((c) => c.id === str(data.id));
    if (!application || !command) throw unknownCommand();
    if (str(data.version) !== command.version) {
      ctx.world.report.staleVersions.push({ userId: user.id, command: command.name, sent: str(data.version) ?? '', current: command.version, at: new Date().toISOString() });
      throw formError([{ path: ['data'], code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION', message: 'This command is outdated, please try again in a few minutes' }]);
    }
    if (data.name !== undefined && data.name !== command.name) {
      throw formError([{ path: ['data', 'name'], code: 'INTERACTION_APPLICATION_COMMAND_INVALID', message: 'Command name does not match the command' }]);
    }
    const record: InteractionRecord = { ...base, application, command, received: received(command.name) };
    if (command.type === 3) {
      const target = ctx.messages.visible(channel, str(data.target_id) ?? '', user.id);
      if (!target) throw unknownMessage();
      record.targetMessage = target;
      return record;
    }
    resolveOptions(ctx, record, command, data, application, inline);
    return record;
  }

  if (type === 3) {
    const message = ctx.messages.visible(channel, str(body.message_id) ?? '', user.id);
    if (!message) throw unknownMessage();
    const owner = str(message.json.application_id) ?? (message.json.author as { id: string }).id;
    if (!application || owner !== applicationId) throw unknownMessage();
    const customId = str(data.custom_id);
    if (!customId) throw formError([{ path: ['data', 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    return { ...base, application, message, customId, received: received(customId) };
  }

  // type 5: modal submit, answering a modal this user was shown.
  const modal = ctx.engine.openModals.get(str(data.id) ?? '');
  if (!application || !modal || modal.userId !== user.id || modal.source.channel.id !== channel.id) throw unknownInteraction();
  const customId = str(data.custom_id) ?? modal.customId;
  const fields = new Map<string, string>();
  for (const row of Array.isArray(data.components) ? (data.components as Json[]) : []) {
    for (const input of Array.isArray(row.components) ? (row.components as Json[]) : []) {
      const key = str(input.custom_id);
      if (key) fields.set(key, str(input.value) ?? '');
    }
  }
  ctx.engine.openModals.delete(str(data.id)!);
  return { ...base, application, customId, fields, ...(modal.source.message ? { message: modal.source.message } : {}), received: received(customId) };
}

/** Checks options against the command (spec §7.3) and resolves attachment options to stored files. */
function resolveOptions(ctx: SimContext, record: InteractionRecord, command: CommandRecord, data: Json, application: ApplicationRecord, inline: Map<number, InlineFile>): void {
  const given = Array.isArray(data.options) ? (data.options as Json[]) : [];
  const attachments = Array.isArray(data.attachments) ? (data.attachments as Json[]) : [];
  const issues: FormIssue[] = [];
  const seen = new Set<string>();
  given.forEach((option, i) => {
    const name = str(option.name) ?? '';
    const def = command.options.find((o) => o.name === name);
    if (!def) return issues.push({ path: ['data', 'options', i, 'name'], code: 'INTERACTION_APPLICATION_COMMAND_OPTION_UNKNOWN', message: `Unknown option "${name}"` });
    seen.add(name);
    if (option.type !== def.type) return issues.push({ path: ['data', 'options', i, 'type'], code: 'INTERACTION_APPLICATION_COMMAND_OPTION_TYPE_MISMATCH', message: `Option "${name}" must have type ${def.type}` });
    const problem = checkValue(def, option.value);
    if (problem) return issues.push({ path: ['data', 'options', i, 'value'], ...problem });
    if (def.type === 11) {
      const spec = attachments.find((a) => str(a.id) === str(option.value));
      if (!spec) return issues.push({ path: ['data', 'options', i, 'value'], code: 'INTERACTION_APPLICATION_COMMAND_OPTION_ATTACHMENT_NOT_FOUND', message: 'Attachment not found in data.attachments' });
      const file = resolveAttachment(ctx, record, spec, application, inline);
      record.files.set(name, file);
      (record.received.attachments ??= {})[name] = file.filename;
    }
    record.options.set(name, option.value as string | number | boolean);
  });
  command.options.forEach((def) => {
    if (def.required && !seen.has(def.name)) issues.push({ path: ['data', 'options'], code: 'INTERACTION_APPLICATION_COMMAND_OPTION_REQUIRED', message: `[${def.name}] This option is required` });
  });
  if (issues.length > 0) throw formError(issues);
}

function checkValue(def: CommandOption, value: unknown): { code: string; message: string } | undefined {
  const bad = (message: string) => ({ code: 'INTERACTION_APPLICATION_COMMAND_OPTION_VALUE_INVALID', message });
  switch (def.type) {
    case 3:
      if (typeof value !== 'string') return bad('Must be a string');
      if (def.max_length !== undefined && value.length > def.max_length) return { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${def.max_length} or fewer in length.` };
      break;
    case 4:
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('Must be an integer');
      break;
    case 10:
      if (typeof value !== 'number') return bad('Must be a number');
      break;
    case 5:
      if (typeof value !== 'boolean') return bad('Must be a boolean');
      break;
    case 11:
      if (typeof value !== 'string' && typeof value !== 'number') return bad('Must be an attachment id');
      return undefined;
  }
  if (def.choices && !def.choices.some((c) => c.value === value)) return { code: 'INTERACTION_APPLICATION_COMMAND_OPTION_CHOICE_INVALID', message: 'Value is not one of the choices' };
  if (typeof value === 'number' && ((def.min_value !== undefined && value < def.min_value) || (def.max_value !== undefined && value > def.max_value))) return bad('Value out of range');
  return undefined;
}

/** An attachment input becomes an ephemeral attachment of the application (what the bot downloads). */
function resolveAttachment(ctx: SimContext, record: InteractionRecord, spec: Json, application: ApplicationRecord, inline: Map<number, InlineFile>): StoredFile {
  const uploadedName = str(spec.uploaded_filename);
  if (uploadedName) {
    const upload = ctx.world.uploads.get(uploadedName);
    if (!upload || upload.userId !== record.user.id || !upload.bytes) throw uploadNotFound();
    ctx.world.uploads.delete(uploadedName);
    const filename = str(spec.filename) ?? upload.filename;
    return ctx.cdn.store('ephemeral-attachments', application.id, filename, upload.bytes, contentTypeFor(filename, upload.contentType));
  }
  const file = inline.get(Number(str(spec.id)));
  if (!file) throw uploadNotFound();
  return ctx.cdn.store('ephemeral-attachments', application.id, str(spec.filename) ?? file.filename, file.bytes, contentTypeFor(file.filename, file.contentType));
}

/** A click on a custom_id the message does not carry (or a disabled button) never reaches the bot. */
function componentExists(interaction: InteractionRecord): boolean {
  const find = (nodes: unknown[]): boolean =>
    nodes.some((node) => {
      const n = node as Json;
      if (n.custom_id === interaction.customId && n.disabled !== true) return true;
      return Array.isArray(n.components) && find(n.components as unknown[]);
    });
  return find(interaction.message?.json.components ?? []);
}
