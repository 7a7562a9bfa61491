/** The job model as the store keeps it (rendering to useapi's JSON happens in src/jobs). */
import type { BotMessageNote } from './types.ts';

/**
 * The job status vocabulary, declared once (useapi §3.1): the store, the runner's state machine
 * and the API (OpenAPI's enum included) all use these lists.
 */
export const ACTIVE_STATUSES = ['created', 'started', 'progress'] as const;
export const TERMINAL_STATUSES = ['completed', 'failed', 'moderated', 'cancelled'] as const;
export const JOB_STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
/** Sent to Discord and not yet ended: the statuses a runner follows. */
export const RUNNING_STATUSES = ['started', 'progress'] as const satisfies readonly ActiveStatus[];

export function isTerminal(status: JobStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status);
}

export function isActive(status: JobStatus): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly JobStatus[]).includes(status);
}

export interface RetainedResult {
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

export interface JobRecord {
  jobid: string;
  tenantId: string;
  bot: string;
  verb: string;
  status: JobStatus;
  /** Waiting in its account's queue for a free slot (not yet counted against capacity). */
  queued: boolean;
  /** Occupies one of its account's capacity slots (see {@link CapacityClaim}). */
  holdsSlot: boolean;
  accountId: string | null;
  channel: string;
  server: string | null;
  discordMasked: string;
  maxJobs: number | null;
  request: Record<string, unknown>;
  replyUrl: string | null;
  replyRef: string | null;
  messageId: string | null;
  content: string | null;
  timestamp: string | null;
  attachments: unknown[] | null;
  embeds: unknown[] | null;
  buttons: string[] | null;
  /** Retained copies of the result files, served by switchboard (null when not retained). */
  results: RetainedResult[] | null;
  error: string | null;
  errorDetails: string | null;
  code: number | null;
  parentJobId: string | null;
  button: string | null;
  runnerState: Record<string, unknown>;
  /** Bot messages of this job that no reply rule understood, oldest first (issue 12). */
  botMessages: BotMessageNote[];
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number | null;
}

/** Fields a caller may change after creation. */
export type JobPatch = Partial<
  Pick<
    JobRecord,
    | 'status'
    | 'queued'
    | 'holdsSlot'
    | 'messageId'
    | 'content'
    | 'timestamp'
    | 'attachments'
    | 'embeds'
    | 'buttons'
    | 'results'
    | 'error'
    | 'errorDetails'
    | 'code'
    | 'runnerState'
    | 'startedAt'
    | 'finishedAt'
    | 'deadlineAt'
  >
>;

/** `queued` and `holdsSlot` are decided by the capacity claim at insert. */
export type NewJob = Omit<JobRecord, 'updatedAt' | 'startedAt' | 'finishedAt' | 'queued' | 'holdsSlot' | 'results' | 'botMessages'> & {
  startedAt?: number | null;
  /**
   * A child (with `parentJobId`) claims this key on its parent: the insert fails with
   * {@link UniqueViolation} `once` while another child of the parent holds it (see {@link ONCE_KEY_STATUSES}).
   */
  onceKey?: string | null;
};

/**
 * The statuses in which a child holds its once-per-parent key (migration 010's partial index):
 * live or completed. A child that failed, was moderated or cancelled frees it for a retry.
 */
export const ONCE_KEY_STATUSES = [...ACTIVE_STATUSES, 'completed'] as const satisfies readonly JobStatus[];

export interface JobFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Which jobs {@link JobStore.listRecent} returns. */
export interface RecentJobsFilter {
  /** Only this tenant's jobs; every tenant's when absent (operator tools). */
  tenantId?: string;
  bot?: string;
  /** Only jobs in one of these statuses; every status when absent. */
  statuses?: readonly JobStatus[];
  limit: number;
}

/** How a new job claims capacity on its account. */
export interface CapacityClaim {
  accountId: string;
  /** Jobs that may run at once on the account (the provider's capacity, or the call's maxJobs). */
  limit: number;
  /** When every slot is taken: wait in a FIFO queue of at most this many jobs instead of failing. */
  queueLimit?: number;
  /**
   * The tenant's cap on jobs waiting or running, all bots together (issue 15): checked by the
   * same statement that claims, so a submission costs no statement of its own for it.
   */
  tenantLimit?: number;
}

export type InsertJobResult =
  /** `jobsAhead`: for a job that went into a queue, how many wait before it (read by the claim itself). */
  | { ok: true; job: JobRecord & { jobsAhead?: number } }
  | { ok: false; reason: 'full'; executing: string[] }
  | { ok: false; reason: 'queue_full'; executing: string[] }
  | { ok: false; reason: 'tenant_limit'; executing: string[] };

/** A webhook to enqueue in the same transaction that ends a job. */
export interface TerminalWebhook {
  url: string;
  /** Renders the job as the callback body, from the row as it is after the update. */
  render(job: JobRecord): unknown;
}

export interface UpdateOptions {
  /**
   * Whether the job may have input files to delete when it ends (default true). The runner says
   * false for jobs planned without files, sparing a statement per job.
   */
  hasFiles?: boolean;
}

export interface JobStore {
  /**
   * Inserts a job, atomically claiming a slot (or a queue place) when `capacity` is given.
   * Throws {@link UniqueViolation} `once` when the job's `onceKey` is held by a sibling.
   */
  insert(job: NewJob, files: JobFile[], capacity?: CapacityClaim): Promise<InsertJobResult>;
  get(tenantId: string, jobid: string): Promise<JobRecord | undefined>;
  getById(jobid: string): Promise<JobRecord | undefined>;
  /** Ids of the tenant's non-terminal jobs for a bot, oldest first. */
  listActive(tenantId: string, bot: string): Promise<string[]>;
  /** How many non-terminal jobs the tenant has, all bots together (its cap on active jobs). */
  countActiveForTenant(tenantId: string): Promise<number>;
  /** The newest jobs first (by creation time, then jobid), for dashboards and the CLI. */
  listRecent(filter: RecentJobsFilter): Promise<JobRecord[]>;
  /** The jobs made from a job by its buttons (`parentJobId`), oldest first. */
  listChildren(tenantId: string, parentJobId: string): Promise<JobRecord[]>;
  /** Jobs of the given accounts that are active or hold a slot (runners, recovery), oldest first. */
  listActiveForAccounts(accountIds: string[]): Promise<JobRecord[]>;
  /** Jobs of these accounts waiting to be sent: `created` and holding a slot, oldest first. */
  listRunnable(accountIds: string[]): Promise<JobRecord[]>;
  /** Jobs that are active or hold a slot, whose deadline has passed. */
  listOverdue(now: number): Promise<JobRecord[]>;
  /** Gives a (cancelled) job's slot back; returns whether it held one. */
  releaseSlot(jobid: string, now: number): Promise<boolean>;
  /**
   * Applies `patch` only while the job's status is one of `from` (compare-and-set); returns the
   * updated job, or undefined when the job was elsewhere (e.g. cancelled meanwhile). A terminal
   * status releases the job's slot unless the patch says `holdsSlot: true`, and may bring a
   * webhook, enqueued in the same transaction.
   */
  update(jobid: string, from: readonly JobStatus[], patch: JobPatch, now: number, webhook?: TerminalWebhook, options?: UpdateOptions): Promise<JobRecord | undefined>;
  /** Moves the oldest queued jobs of the account into free slots; returns the jobs promoted. */
  promoteQueued(accountId: string, limit: number, now: number): Promise<JobRecord[]>;
  /** How many queued jobs of the same account are ahead of this one. */
  queuePosition(job: JobRecord): Promise<number>;
  files(jobid: string): Promise<JobFile[]>;
  /** Appends a bot message no rule understood to the job (keeping the newest `keep`). */
  noteBotMessage(jobid: string, note: BotMessageNote, keep: number): Promise<void>;
  deleteFiles(jobid: string): Promise<void>;
  /** Non-terminal jobs per bot and status (metrics). */
  countActive(): Promise<{ bot: string; status: JobStatus; count: number }[]>;
  /** Jobs waiting in each of these accounts' queues (accounts without any are left out). */
  queuedCounts(accountIds: string[]): Promise<Map<string, number>>;
  /** Slots held per account (metrics, dashboards). */
  slotsInUse(): Promise<{ accountId: string; count: number }[]>;
  /** Keeps copies of a job's result files (the job's `results` is set with {@link update}). */
  saveResultFiles(jobid: string, files: (JobFile & { index: number })[], now: number): Promise<void>;
  resultFile(tenantId: string, jobid: string, index: number): Promise<(JobFile & { size: number }) | undefined>;
  /** Bytes of retained result files the tenant's jobs hold (per-tenant cap). */
  resultBytes(tenantId: string): Promise<number>;
  /** Deletes retained result files older than `before` (and forgets them in their jobs); returns how many. */
  purgeResultFiles(before: number): Promise<number>;
  /** Deletes terminal jobs finished before `before`; returns how many. */
  purgeFinished(before: number): Promise<number>;
}
