/**
 * JSON Schemas of switchboard's responses (OpenAPI 3.1 uses JSON Schema 2020-12). They describe
 * what the API sends — the useapi shapes — and a test holds real responses to them. Account
 * shapes are each provider's own (`Provider.account.schema`); `document.ts` adds them.
 */

import { JOB_STATUSES } from '../../store/index.ts';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const strOrNull = { type: ['string', 'null'] } as const;

export const ErrorSchema = {
  type: 'object',
  description: "useapi's error envelope; `code` equals the HTTP status",
  properties: { error: str, errorDetails: str, code: int, executingJobs: { type: 'array', items: str } },
  required: ['error', 'code'],
  additionalProperties: false,
} as const;

export const CreditsSchema = {
  type: 'object',
  description: '`used`: the sum of the per-job costs the bot printed since the last reset (or its own figure); `total` only when the bot prints one',
  properties: {
    timestamp: str,
    total: int,
    used: int,
    outOfCredits: { type: 'boolean', description: 'the bot refused a command for lack of credits' },
    resetsAt: { ...str, format: 'date-time', description: 'when the reset rule (SWITCHBOARD_CREDITS_RESET) puts the account back' },
  },
  required: ['timestamp', 'used'],
  additionalProperties: false,
} as const;


const fileMeta = { type: 'object', properties: { size: int, type: str }, required: ['size', 'type'], additionalProperties: false } as const;

export const AttachmentSchema = {
  type: 'object',
  properties: { id: str, filename: str, size: int, url: str, proxy_url: str, width: int, height: int, content_type: str },
  required: ['id', 'filename', 'url'],
  additionalProperties: false,
} as const;

export const JobSchema = {
  type: 'object',
  description: 'A job (useapi §3.1 / §3.2): the answer of every command, of `jobs/?jobid=`, and the webhook body',
  properties: {
    jobid: str,
    verb: { ...str, pattern: '^[a-z][a-z0-9_]*-[a-z_]+$', description: '`<bot>-<command>`' },
    status: { enum: JOB_STATUSES },
    created: { ...str, format: 'date-time' },
    updated: { ...str, format: 'date-time' },
    prompt: str,
    idname: str,
    options: str,
    targetMessageId: str,
    saveid_idname: str,
    swapid_idname: str,
    image: fileMeta,
    message: { oneOf: [str, fileMeta] },
    font: str,
    discord: { ...str, description: 'masked: `<ABC…secured…xyz>`' },
    server: str,
    channel: str,
    maxJobs: int,
    replyUrl: str,
    replyRef: str,
    messageId: str,
    content: str,
    timestamp: strOrNull,
    attachments: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } },
    embeds: { type: 'array', items: { type: 'object' } },
    buttons: { type: 'array', items: str },
    results: {
      type: 'array',
      description: 'copies switchboard keeps of the result files (GET them with your API token; they outlive Discord’s expiring links)',
      items: { type: 'object', properties: { filename: str, content_type: str, size: int, url: str }, required: ['filename', 'content_type', 'size', 'url'], additionalProperties: false },
    },
    parentJobId: str,
    button: str,
    jobsAhead: { ...int, description: 'queued jobs of the same account ahead of this one' },
    error: str,
    errorDetails: str,
    code: int,
    botMessages: {
      type: 'array',
      description: 'bot messages of this job that no reply rule understood (additive)',
      items: { type: 'object', properties: { at: { ...str, format: 'date-time' }, messageId: str, text: str, attachments: int, embeds: int }, required: ['at', 'messageId', 'text', 'attachments', 'embeds'], additionalProperties: false },
    },
  },
  required: ['jobid', 'verb', 'status', 'created', 'updated', 'discord', 'channel', 'code'],
  additionalProperties: false,
} as const;

export const CancelledSchema = {
  type: 'object',
  properties: { jobid: str, status: { const: 'cancelled' }, code: { const: 200 } },
  required: ['jobid', 'status', 'code'],
  additionalProperties: false,
} as const;

export const JobIdsSchema = { type: 'array', items: str, description: 'ids of the executing jobs' } as const;

export const WebhookSecretSchema = {
  type: 'object',
  properties: {
    secret: str,
    header: str,
    algorithm: str,
    format: str,
    standardWebhooks: {
      type: 'object',
      description: 'The same secret for Standard Webhooks verifiers (webhook-id, webhook-timestamp, webhook-signature headers)',
      properties: { secret: str, headers: { type: 'array', items: str }, format: str },
      required: ['secret', 'headers', 'format'],
      additionalProperties: false,
    },
  },
  required: ['secret', 'header', 'algorithm', 'format', 'standardWebhooks'],
  additionalProperties: false,
} as const;

export const DeliveriesSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: str,
      type: str,
      url: str,
      status: { enum: ['pending', 'delivered', 'failed'] },
      attempts: int,
      nextAttemptAt: str,
      deliveredAt: str,
      lastError: str,
      deliveries: {
        type: 'array',
        items: { type: 'object', properties: { attempt: int, at: str, durationMs: int, statusCode: { type: ['integer', 'null'] }, error: str }, required: ['attempt', 'at', 'durationMs', 'statusCode'], additionalProperties: false },
      },
    },
    required: ['id', 'url', 'status', 'attempts', 'deliveries'],
    additionalProperties: false,
  },
} as const;

export const AlertSettingsSchema = {
  type: 'object',
  properties: { url: { type: ['string', 'null'] }, deliveries: DeliveriesSchema },
  required: ['url', 'deliveries'],
  additionalProperties: false,
} as const;

export const componentSchemas = {
  Error: ErrorSchema,
  Credits: CreditsSchema,
  Attachment: AttachmentSchema,
  Job: JobSchema,
  Cancelled: CancelledSchema,
  JobIds: JobIdsSchema,
  WebhookSecret: WebhookSecretSchema,
  Deliveries: DeliveriesSchema,
  AlertSettings: AlertSettingsSchema,
} as const;
