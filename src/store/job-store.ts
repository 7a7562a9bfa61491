/**
 * Jobs, their input files, and capacity. A slot is claimed by the statement that inserts the job
 * (see `claim`): SQLite's single writer runs it alone; on PostgreSQL a function takes a lock on
 * the account row first (`claimLocked`, migration 012), so two instances can never both see a
 * free slot and both take it.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { CompiledStatements } from './compiled.ts';
import { guardUnique, type StoreDialect } from './dialect.ts';
import type { Database, JobsTable } from './schema.ts';
import type { BotMessageNote } from './types.ts';
import {
  ACTIVE_STATUSES,
  TERMINAL_STATUSES,
  isTerminal,
  type CapacityClaim,
  type InsertJobResult,
  type JobFile,
  type JobPatch,
  type JobRecord,
  type JobStatus,
  type JobStore,
  type NewJob,
  type RetainedResult,
  type RecentJobsFilter,
  type TerminalWebhook,
  type UpdateOptions,
} from './job-types.ts';
import { enqueueWebhook } from './outbox-store.ts';

type Refusal = 'tenant_limit' | 'full' | 'queue_full';
/** A claim's outcome: the stored row (and, queued, the jobs ahead of it), or which limit refused it. */
type Claimed = { row: Selectable<JobsTable>; jobsAhead?: number } | { refused: Refusal };
const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const byCreation = (a: JobRecord, b: JobRecord) => a.createdAt - b.createdAt || (a.jobid < b.jobid ? -1 : a.jobid > b.jobid ? 1 : 0);
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const num = (v: number | null) => (v === null ? null : Number(v));

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    jobid: row.jobid,
    tenantId: row.tenantId,
    bot: row.bot,
    verb: row.verb,
    status: row.status as JobStatus,
    queued: Number(row.queued) === 1,
    holdsSlot: Number(row.holdsSlot) === 1,
    accountId: row.accountId,
    channel: row.channel,
    server: row.server,
    discordMasked: row.discordMasked,
    maxJobs: num(row.maxJobs),
    request: parse<Record<string, unknown>>(row.request) ?? {},
    replyUrl: row.replyUrl,
    replyRef: row.replyRef,
    messageId: row.messageId,
    content: row.content,
    timestamp: row.messageTimestamp,
    attachments: parse<unknown[]>(row.attachments),
    embeds: parse<unknown[]>(row.embeds),
    buttons: parse<string[]>(row.buttons),
    results: parse<RetainedResult[]>(row.results),
    error: row.error,
    errorDetails: row.errorDetails,
    code: num(row.code),
    parentJobId: row.parentJobId,
    button: row.button,
    runnerState: parse<Record<string, unknown>>(row.runnerState) ?? {},
    botMessages: (row.botMessages ? parse<BotMessageNote[]>(row.botMessages) : null) ?? [],
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    startedAt: num(row.startedAt),
    finishedAt: num(row.finishedAt),
    deadlineAt: num(row.deadlineAt),
  };
}

/** Column values for the fields of a patch that are present. */
function patchColumns(patch: JobPatch): Partial<JobsTable> {
  const columns: Partial<JobsTable> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.queued !== undefined) columns.queued = patch.queued ? 1 : 0;
  if (patch.holdsSlot !== undefined) columns.holdsSlot = patch.holdsSlot ? 1 : 0;
  if (patch.messageId !== undefined) columns.messageId = patch.messageId;
  if (patch.content !== undefined) columns.content = patch.content;
  if (patch.timestamp !== undefined) columns.messageTimestamp = patch.timestamp;
  if (patch.attachments !== undefined) columns.attachments = json(patch.attachments);
  if (patch.embeds !== undefined) columns.embeds = json(patch.embeds);
  if (patch.buttons !== undefined) columns.buttons = json(patch.buttons);
  if (patch.results !== undefined) columns.results = json(patch.results);
  if (patch.error !== undefined) columns.error = patch.error;
  if (patch.errorDetails !== undefined) columns.errorDetails = patch.errorDetails;
  if (patch.code !== undefined) columns.code = patch.code;
  if (patch.runnerState !== undefined) columns.runnerState = JSON.stringify(patch.runnerState);
  if (patch.startedAt !== undefined) columns.startedAt = patch.startedAt;
  if (patch.finishedAt !== undefined) columns.finishedAt = patch.finishedAt;
  if (patch.deadlineAt !== undefined) columns.deadlineAt = patch.deadlineAt;
  return columns;
}

export class SqlJobStore implements JobStore {
  /** The statements every job runs, compiled once (see `compiled.ts`). */
  private readonly compiled = new CompiledStatements();

  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  /** Jobs waiting or running for a tenant, all bots. */
  private activeOf(db: Kysely<Database>, tenantId: string) {
    return db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('tenantId', '=', tenantId).where('status', 'in', ACTIVE_STATUSES);
  }

  private async activeCount(db: Kysely<Database>, tenantId: string): Promise<number> {
    return Number((await this.activeOf(db, tenantId).executeTakeFirstOrThrow()).n);
  }

  countActiveForTenant(tenantId: string): Promise<number> {
    return this.activeCount(this.db, tenantId);
  }

  private executingOn(db: Kysely<Database>, accountId: string) {
    return db.selectFrom('jobs').select('jobid').where('accountId', '=', accountId).where('holdsSlot', '=', 1).orderBy('createdAt').orderBy('jobid');
  }

  async insert(job: NewJob, files: JobFile[], capacity?: CapacityClaim): Promise<InsertJobResult> {
    const values = {
      jobid: job.jobid,
      tenantId: job.tenantId,
      bot: job.bot,
      verb: job.verb,
      status: job.status,
      accountId: job.accountId,
      channel: job.channel,
      server: job.server,
      discordMasked: job.discordMasked,
      maxJobs: job.maxJobs,
      request: JSON.stringify(job.request),
      replyUrl: job.replyUrl,
      replyRef: job.replyRef,
      messageId: job.messageId,
      content: job.content,
      messageTimestamp: job.timestamp,
      attachments: json(job.attachments),
      embeds: json(job.embeds),
      buttons: json(job.buttons),
      results: null,
      error: job.error,
      errorDetails: job.errorDetails,
      code: job.code,
      parentJobId: job.parentJobId,
      button: job.button,
      onceKey: job.onceKey ?? null,
      runnerState: JSON.stringify(job.runnerState),
      createdAt: job.createdAt,
      updatedAt: job.createdAt,
      startedAt: job.startedAt ?? null,
      finishedAt: null,
      deadlineAt: job.deadlineAt,
      botMessages: null,
    };
    const write = async (db: Kysely<Database>): Promise<InsertJobResult> => {
      const claimed = !capacity
        ? { row: await db.insertInto('jobs').values({ ...values, queued: 0, holdsSlot: 0 }).returningAll().executeTakeFirstOrThrow() }
        : this.dialect.rowLocks
          ? await this.claimLocked(db, values, capacity)
          : await this.claim(db, values, capacity);
      if (!('row' in claimed)) {
        if (claimed.refused === 'tenant_limit') return { ok: false, reason: 'tenant_limit', executing: [] };
        const executing = (await this.executingOn(db, capacity!.accountId).execute()).map((r) => r.jobid);
        return { ok: false, reason: claimed.refused, executing };
      }
      const { row: inserted, jobsAhead } = claimed;
      if (files.length > 0) {
        await db
          .insertInto('jobFiles')
          .values(files.map((f) => ({ jobId: job.jobid, field: f.field, filename: f.filename, contentType: f.contentType, size: f.data.length, data: f.data.toString('base64') })))
          .execute();
      }
      return { ok: true, job: { ...toJob(inserted), ...(inserted.queued && jobsAhead !== undefined ? { jobsAhead } : {}) } };
    };
    // A claim is one statement on both stores (see `claim` and `claimLocked`): only the input
    // files make a transaction.
    return guardUnique(this.dialect, () => (files.length === 0 ? write(this.db) : this.db.transaction().execute(write)));
  }

  /**
   * SQLite: inserts the job in ONE statement that also decides its place: a slot while the account
   * runs fewer than `limit` jobs, else (with a `queueLimit`) a queue place while fewer than that
   * many wait, and only while the tenant is under its cap; no row when none. `INSERT … SELECT …
   * WHERE` with the counts as subqueries, so the check and the insert cannot be separated by
   * another writer: the statement holds the write lock throughout (a write statement starts a
   * write transaction, not a read one to be upgraded later:
   * https://www.sqlite.org/lang_transaction.html). PostgreSQL needs the account's lock before the
   * counts: {@link claimLocked}.
   */
  private async claim(db: Kysely<Database>, values: Omit<JobsTable, 'queued' | 'holdsSlot'>, capacity: CapacityClaim): Promise<Claimed> {
    const inserted = await this.claimStatement(db, values, capacity);
    if (inserted) {
      const { jobsAhead, ...row } = inserted;
      return { row, ...(jobsAhead != null ? { jobsAhead: Number(jobsAhead) } : {}) };
    }
    // The rare path: say which limit refused it.
    if (capacity.tenantLimit !== undefined && (await this.activeCount(db, values.tenantId)) >= capacity.tenantLimit) return { refused: 'tenant_limit' };
    return { refused: capacity.queueLimit === undefined ? 'full' : 'queue_full' };
  }

  /**
   * PostgreSQL: the same decision in one call of `switchboard_claim_job` (migration 012), which
   * takes the account's row lock and only then counts, each in a statement of its own — in READ
   * COMMITTED a lock taken inside the counting statement would leave its snapshot blind to a job
   * the previous lock holder just inserted.
   */
  private async claimLocked(db: Kysely<Database>, values: Omit<JobsTable, 'queued' | 'holdsSlot'>, capacity: CapacityClaim): Promise<Claimed> {
    const row = Object.fromEntries(Object.entries(values).map(([key, value]) => [snakeCase(key), value]));
    const { rows } = await sql<{ claimed: Record<string, unknown> }>`select switchboard_claim_job(${capacity.accountId}, ${JSON.stringify(row)}::jsonb, ${capacity.limit}::integer, ${capacity.queueLimit ?? null}::integer, ${capacity.tenantLimit ?? null}::integer, ${sql.val([...ACTIVE_STATUSES])}::text[]) as claimed`.execute(db);
    const claimed = rows[0]!.claimed;
    if (typeof claimed.refused === 'string') return { refused: claimed.refused as Refusal };
    // (The store's camel-case plugin may already have renamed the JSON's keys; renaming again is harmless.)
    const { jobsAhead, ...inserted } = Object.fromEntries(Object.entries(claimed).map(([key, value]) => [camelCase(key), value])) as Selectable<JobsTable> & { jobsAhead?: number };
    return { row: inserted, ...(typeof jobsAhead === 'number' ? { jobsAhead } : {}) };
  }

  private async claimStatement(db: Kysely<Database>, values: Omit<JobsTable, 'queued' | 'holdsSlot'>, capacity: CapacityClaim): Promise<(Selectable<JobsTable> & { jobsAhead?: number | string | null }) | undefined> {
    const columns = Object.keys(values) as (keyof typeof values)[];
    const queueing = capacity.queueLimit !== undefined;
    const capped = capacity.tenantLimit !== undefined;
    // The SQL depends on which limits apply and on the columns; everything else is a value.
    const key = `claim:${queueing}:${capped}:${columns.join()}`;
    const inputs = { ...values, claimAccount: capacity.accountId, slotLimit: capacity.limit, queueLimit: capacity.queueLimit ?? 0, tenantLimit: capacity.tenantLimit ?? 0 };
    return this.compiled.first(db, key, inputs, (v) => {
      const running = db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('accountId', '=', v.claimAccount).where('holdsSlot', '=', 1);
      const free = sql<boolean>`(${running}) < ${v.slotLimit}`;
      // A queued job is always active (`update` clears `queued` on every ending; migration 014): the queue is counted by index alone.
      const waiting = db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('accountId', '=', v.claimAccount).where('queued', '=', 1);
      // Under the tenant's cap too (checked in the same statement; on PostgreSQL the lock is the
      // account's, so two accounts of one tenant may overshoot it by a job each — a cap, not a quota).
      const underCap = capped ? sql<boolean>`(${this.activeOf(db, v.tenantId)}) < ${v.tenantLimit}` : sql<boolean>`1 = 1`;
      const room = queueing ? sql<boolean>`(${free} OR (${waiting}) < ${v.queueLimit})` : free;
      const row = db
        .selectNoFrom((eb) => [
          ...columns.map((column) => eb.val(v[column]).as(column)),
          sql<number>`CASE WHEN ${free} THEN 0 ELSE 1 END`.as('queued'),
          sql<number>`CASE WHEN ${free} THEN 1 ELSE 0 END`.as('holdsSlot'),
        ])
        .where(sql<boolean>`${underCap} AND ${room}`);
      // A queued job's answer says how many wait before it: counted here rather than by a read of its own.
      const ahead = queueing ? sql<number | null>`(${this.aheadOf(db, v.claimAccount, v.createdAt, v.jobid)})` : sql<number | null>`NULL`;
      return db
        .insertInto('jobs')
        .columns([...columns, 'queued', 'holdsSlot'])
        .expression(row as never)
        .returningAll()
        .returning(ahead.as('jobsAhead'));
    });
  }

  async get(tenantId: string, jobid: string): Promise<JobRecord | undefined> {
    // What clients poll (GET …/jobs/?jobid=): compiled once.
    const row = await this.compiled.first(this.db, 'get', { jobid, tenantId }, (v) => this.db.selectFrom('jobs').selectAll().where('jobid', '=', v.jobid).where('tenantId', '=', v.tenantId));
    return row && toJob(row);
  }

  async getById(jobid: string): Promise<JobRecord | undefined> {
    const row = await this.compiled.first(this.db, 'getById', { jobid }, (v) => this.db.selectFrom('jobs').selectAll().where('jobid', '=', v.jobid));
    return row && toJob(row);
  }

  async listActive(tenantId: string, bot: string): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('jobid').where('tenantId', '=', tenantId).where('bot', '=', bot).where('status', 'in', ACTIVE_STATUSES).orderBy('createdAt').orderBy('jobid').execute();
    return rows.map((r) => r.jobid);
  }

  async listRecent(filter: RecentJobsFilter): Promise<JobRecord[]> {
    if (filter.statuses?.length === 0) return [];
    let query = this.db.selectFrom('jobs').selectAll();
    if (filter.tenantId !== undefined) query = query.where('tenantId', '=', filter.tenantId);
    if (filter.bot !== undefined) query = query.where('bot', '=', filter.bot);
    if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses);
    const rows = await query.orderBy('createdAt', 'desc').orderBy('jobid', 'desc').limit(Math.max(0, Math.floor(filter.limit))).execute();
    return rows.map(toJob);
  }

  async listChildren(tenantId: string, parentJobId: string): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('parentJobId', '=', parentJobId).where('tenantId', '=', tenantId).orderBy('createdAt').orderBy('jobid').execute();
    return rows.map(toJob);
  }

  async listActiveForAccounts(accountIds: string[]): Promise<JobRecord[]> {
    if (accountIds.length === 0) return [];
    // Two index-friendly reads rather than one OR: history (finished jobs) is never scanned.
    const [active, holding] = await Promise.all([
      this.db.selectFrom('jobs').selectAll().where('accountId', 'in', accountIds).where('status', 'in', ACTIVE_STATUSES).execute(),
      this.db.selectFrom('jobs').selectAll().where('holdsSlot', '=', 1).where('accountId', 'in', accountIds).where('status', 'not in', ACTIVE_STATUSES).execute(),
    ]);
    return [...active, ...holding].map(toJob).sort(byCreation);
  }

  async listRunnable(accountIds: string[]): Promise<JobRecord[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.db.selectFrom('jobs').selectAll().where('accountId', 'in', accountIds).where('status', '=', 'created').where('holdsSlot', '=', 1).execute();
    return rows.map(toJob).sort(byCreation);
  }

  async listOverdue(now: number): Promise<JobRecord[]> {
    const [active, holding] = await Promise.all([
      this.db.selectFrom('jobs').selectAll().where('status', 'in', ACTIVE_STATUSES).where('deadlineAt', '<=', now).execute(),
      this.db.selectFrom('jobs').selectAll().where('holdsSlot', '=', 1).where('deadlineAt', '<=', now).where('status', 'not in', ACTIVE_STATUSES).execute(),
    ]);
    return [...active, ...holding].map(toJob).sort((a, b) => (a.deadlineAt ?? 0) - (b.deadlineAt ?? 0));
  }

  async releaseSlot(jobid: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('jobs').set({ holdsSlot: 0, updatedAt: now }).where('jobid', '=', jobid).where('holdsSlot', '=', 1).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async update(jobid: string, from: readonly JobStatus[], patch: JobPatch, now: number, webhook?: TerminalWebhook, options: UpdateOptions = {}): Promise<JobRecord | undefined> {
    const finishing = patch.status !== undefined && isTerminal(patch.status);
    const columns = { ...(finishing ? { finishedAt: now, queued: 0, holdsSlot: 0 } : {}), ...patchColumns(patch), updatedAt: now };
    const set = Object.keys(columns) as (keyof typeof columns)[];
    const write = async (db: Kysely<Database>) => {
      // The columns written and the statuses it may leave shape the SQL; the rest are values.
      const key = `update:${set.join()}:${from.join()}`;
      const row = await this.compiled.first(db, key, { ...columns, updateJobid: jobid }, (v) =>
        db
          .updateTable('jobs')
          .set(Object.fromEntries(set.map((column) => [column, v[column]])))
          .where('jobid', '=', v.updateJobid)
          .where('status', 'in', from)
          .returningAll(),
      );
      return row && toJob(row);
    };
    const dropFiles = finishing && options.hasFiles !== false;
    // One statement needs no transaction: progress writes, and endings with nothing else to do.
    if (!dropFiles && !(finishing && webhook)) return write(this.db);
    return this.db.transaction().execute(async (trx) => {
      const job = await write(trx);
      if (!job) return undefined;
      // Input files are not needed once a job has ended.
      if (dropFiles) await trx.deleteFrom('jobFiles').where('jobId', '=', jobid).execute();
      if (webhook) await enqueueWebhook(trx, { tenantId: job.tenantId, jobId: job.jobid, url: webhook.url, payload: JSON.stringify(webhook.render(job)), now });
      return job;
    });
  }

  async promoteQueued(accountId: string, limit: number, now: number): Promise<JobRecord[]> {
    // One statement: as many of the oldest queued jobs as there are free slots take one. SQLite
    // runs it alone (one writer); PostgreSQL under the account's lock, like a claim.
    const promote = async (db: Kysely<Database>) => {
      // Every freed slot of an account with a queue runs this: compiled once.
      const rows = await this.compiled.rows(db, 'promote', { promoteAccount: accountId, slotLimit: limit, now }, (v) => {
        const running = db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('accountId', '=', v.promoteAccount).where('holdsSlot', '=', 1);
        const free = sql<number>`(CASE WHEN CAST(${v.slotLimit} AS INTEGER) > (${running}) THEN CAST(${v.slotLimit} AS INTEGER) - (${running}) ELSE 0 END)`;
        const next = db.selectFrom('jobs').select('jobid').where('accountId', '=', v.promoteAccount).where('queued', '=', 1).orderBy('createdAt').orderBy('jobid').limit(free);
        return db.updateTable('jobs').set({ queued: 0, holdsSlot: 1, updatedAt: v.now }).where('jobid', 'in', next).returningAll();
      });
      return rows.map(toJob).sort((x, y) => x.createdAt - y.createdAt || x.jobid.localeCompare(y.jobid));
    };
    if (!this.dialect.rowLocks) return promote(this.db);
    // PostgreSQL: the account's lock, then the same update, in one call (migration 012; see `claimLocked`).
    const { rows } = await sql<Selectable<JobsTable>>`select * from switchboard_promote_queued(${accountId}, ${limit}::integer, ${now}::bigint, ${sql.val([...ACTIVE_STATUSES])}::text[])`.execute(this.db);
    return rows.map(toJob).sort(byCreation);
  }

  /** Queued jobs of the account that are ahead of a job created at `createdAt` (FIFO by creation, then id). */
  private aheadOf(db: Kysely<Database>, accountId: string, createdAt: number, jobid: string) {
    return db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('accountId', '=', accountId)
      .where('queued', '=', 1)
      .where((eb) => eb.or([eb('createdAt', '<', createdAt), eb.and([eb('createdAt', '=', createdAt), eb('jobid', '<', jobid)])]));
  }

  async queuePosition(job: JobRecord): Promise<number> {
    if (!job.queued || job.accountId === null) return 0;
    return Number((await this.aheadOf(this.db, job.accountId, job.createdAt, job.jobid).executeTakeFirstOrThrow()).n);
  }

  async files(jobid: string): Promise<JobFile[]> {
    const rows = await this.db.selectFrom('jobFiles').selectAll().where('jobId', '=', jobid).orderBy('field').execute();
    return rows.map((r) => ({ field: r.field, filename: r.filename, contentType: r.contentType, data: Buffer.from(r.data, 'base64') }));
  }

  async noteBotMessage(jobid: string, note: BotMessageNote, keep: number): Promise<void> {
    // Read-modify-write: only the job's runner writes its notes.
    const row = await this.db.selectFrom('jobs').select('botMessages').where('jobid', '=', jobid).executeTakeFirst();
    if (!row) return;
    const notes = [...((row.botMessages ? parse<BotMessageNote[]>(row.botMessages) : null) ?? []), note].slice(-Math.max(1, keep));
    await this.db.updateTable('jobs').set({ botMessages: JSON.stringify(notes) }).where('jobid', '=', jobid).execute();
  }

  async deleteFiles(jobid: string): Promise<void> {
    await this.db.deleteFrom('jobFiles').where('jobId', '=', jobid).execute();
  }

  async countActive(): Promise<{ bot: string; status: JobStatus; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['bot', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('status', 'in', ACTIVE_STATUSES)
      .groupBy(['bot', 'status'])
      .execute();
    return rows.map((r) => ({ bot: r.bot, status: r.status as JobStatus, count: Number(r.n) }));
  }

  async queuedCounts(accountIds: string[]): Promise<Map<string, number>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('jobs')
      .select(['accountId', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('accountId', 'in', accountIds)
      .where('queued', '=', 1)
      .groupBy('accountId')
      .execute();
    return new Map(rows.map((r) => [r.accountId!, Number(r.n)]));
  }

  async slotsInUse(): Promise<{ accountId: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['accountId', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('holdsSlot', '=', 1)
      .where('accountId', 'is not', null)
      .groupBy('accountId')
      .execute();
    return rows.map((r) => ({ accountId: r.accountId!, count: Number(r.n) }));
  }

  async saveResultFiles(jobid: string, files: (JobFile & { index: number })[], now: number): Promise<void> {
    if (files.length === 0) return;
    await this.db
      .insertInto('resultFiles')
      .values(files.map((f) => ({ jobId: jobid, idx: f.index, filename: f.filename, contentType: f.contentType, size: f.data.length, data: f.data.toString('base64'), createdAt: now })))
      .onConflict((oc) => oc.columns(['jobId', 'idx']).doNothing())
      .execute();
  }

  async resultFile(tenantId: string, jobid: string, index: number): Promise<(JobFile & { size: number }) | undefined> {
    const row = await this.db
      .selectFrom('resultFiles')
      .innerJoin('jobs', 'jobs.jobid', 'resultFiles.jobId')
      .select(['resultFiles.filename', 'resultFiles.contentType', 'resultFiles.size', 'resultFiles.data', 'resultFiles.idx'])
      .where('jobs.tenantId', '=', tenantId)
      .where('resultFiles.jobId', '=', jobid)
      .where('resultFiles.idx', '=', index)
      .executeTakeFirst();
    return row && { field: String(row.idx), filename: row.filename, contentType: row.contentType, size: Number(row.size), data: Buffer.from(row.data, 'base64') };
  }

  async resultBytes(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('resultFiles')
      .innerJoin('jobs', 'jobs.jobid', 'resultFiles.jobId')
      .select((eb) => eb.fn.sum<number | string | null>('resultFiles.size').as('bytes'))
      .where('jobs.tenantId', '=', tenantId)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  async purgeResultFiles(before: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('resultFiles').select('jobId').distinct().where('createdAt', '<', before).execute();
      if (old.length === 0) return 0;
      const result = await trx.deleteFrom('resultFiles').where('createdAt', '<', before).executeTakeFirst();
      await trx.updateTable('jobs').set({ results: null }).where('jobid', 'in', old.map((r) => r.jobId)).execute();
      return Number(result.numDeletedRows);
    });
  }

  async purgeFinished(before: number): Promise<number> {
    const result = await this.db.deleteFrom('jobs').where('status', 'in', TERMINAL_STATUSES).where('finishedAt', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
