/**
 * Table shapes as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
 * Times are epoch milliseconds in BIGINT columns so that both dialects compare them natively.
 */
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  tokenHash: string;
  /** First characters of the token, shown by `token list` so an operator can tell tokens apart. */
  tokenHint: string;
  createdAt: number;
  revokedAt: number | null;
  /** Sealed (src/secrets) key that signs this tenant's webhooks; created on first use. */
  webhookSecret: Generated<string | null>;
  /** Where account health events are POSTed (through the outbox); null = no alerts. */
  alertUrl: Generated<string | null>;
}

export interface AccountsTable {
  id: string;
  tenantId: string;
  bot: string;
  channel: string;
  server: string | null;
  /** AES-256-GCM ciphertext of the Discord token (see src/secrets). */
  discordToken: string;
  /** Keyed HMAC of the token: finds duplicates without decrypting anything. */
  discordFingerprint: string;
  maxJobs: number | null;
  /** Default `replyUrl` for calls on this account that bring none (migration 008). */
  replyUrl: Generated<string | null>;
  /** 0 for a channel a call brought itself (not shown by the account API). */
  listed: Generated<number>;
  creditsTotal: number | null;
  creditsUsed: number | null;
  creditsTimestamp: string | null;
  /** When the bot said the account is out of credits (cleared by the reset rule). */
  creditsExhaustedAt: number | null;
  /** JSON: the last comparison of the bot's commands with Discord's command index. */
  commandCheck: string | null;
  /** The channel is held back until then after an interaction failure or a timeout. */
  quarantineUntil: number | null;
  /** JSON: recent bot messages no rule understood (newest last, capped). */
  botMessages: string | null;
  healthState: Generated<string>;
  healthReason: string | null;
  healthDetail: string | null;
  healthFailures: Generated<number>;
  healthSince: number | null;
  healthUntil: number | null;
  nextProbeAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** The instance that holds this account's Gateway session, while `leaseUntil` is ahead. */
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** AES-256-GCM ciphertext of the account's outbound proxy URL (migration 006); null: none. */
  proxy: string | null;
  /** JSON `{ at, fields }`: what the bot last said about the account's state (migration 011). */
  reportedStatus: Generated<string | null>;
}

export interface ResultFilesTable {
  jobId: string;
  idx: number;
  filename: string;
  contentType: string;
  size: number;
  data: string;
  createdAt: number;
}

export interface InstancesTable {
  id: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface JobsTable {
  jobid: string;
  tenantId: string;
  bot: string;
  verb: string;
  status: string;
  /** 1 while the job waits in its account's queue for a free slot. */
  queued: number;
  /** 1 while the job occupies a capacity slot of its account. */
  holdsSlot: number;
  accountId: string | null;
  channel: string;
  server: string | null;
  discordMasked: string;
  maxJobs: number | null;
  /** JSON: the request fields the job echoes (prompt, idname, options, image metadata…). */
  request: string;
  replyUrl: string | null;
  replyRef: string | null;
  messageId: string | null;
  content: string | null;
  messageTimestamp: string | null;
  attachments: string | null;
  embeds: string | null;
  buttons: string | null;
  error: string | null;
  errorDetails: string | null;
  code: number | null;
  parentJobId: string | null;
  button: string | null;
  /** At most one live-or-completed child of a parent holds a key (migration 010; e.g. U1–U4). */
  onceKey?: string | null;
  /** JSON: the retained copies of the result attachments (see `result_files`). */
  results: string | null;
  /** JSON: bot messages of this job that no rule understood. */
  botMessages: string | null;
  /** JSON: what the runner needs to resume (nonce, interaction and message ids, components). */
  runnerState: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number | null;
}

export interface JobFilesTable {
  jobId: string;
  field: string;
  filename: string;
  contentType: string;
  size: number;
  data: string;
}

export interface WebhookOutboxTable {
  id: string;
  tenantId: string;
  /** The job a job webhook reports; '' for other events. */
  jobId: string;
  /** null for a job's webhook; else the event's type (`account.health_changed`). */
  eventType: Generated<string | null>;
  url: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lockedUntil: number | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  outboxId: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  tenants: TenantsTable;
  accounts: AccountsTable;
  jobs: JobsTable;
  jobFiles: JobFilesTable;
  webhookOutbox: WebhookOutboxTable;
  webhookDeliveries: WebhookDeliveriesTable;
  switchboardMeta: MetaTable;
  instances: InstancesTable;
  resultFiles: ResultFilesTable;
}
