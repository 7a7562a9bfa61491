/** Discord accounts per tenant and bot, with credits and health. */
import type { Selectable } from 'kysely';
import { CompiledStatements } from './compiled.ts';
import type { TableCache } from './table-cache.ts';
import { guardUnique, type StoreDialect } from './dialect.ts';
import type { AccountsTable } from './schema.ts';
import { HEALTH_STATES, type AccountHealth, type AccountInput, type AccountRecord, type AccountStore, type BotMessageNote, type CommandCheck, type Credits, type ReportedAccountStatus } from './types.ts';
import { ACTIVE_STATUSES as ACTIVE } from './job-types.ts';

function parseJson<T>(text: string | null | undefined): T | null {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function toAccount(row: Selectable<AccountsTable>): AccountRecord {
  const credits: Credits | null =
    row.creditsUsed === null || row.creditsTimestamp === null
      ? null
      : {
          timestamp: row.creditsTimestamp,
          ...(row.creditsTotal !== null ? { total: Number(row.creditsTotal) } : {}),
          used: Number(row.creditsUsed),
          ...(row.creditsExhaustedAt !== null && row.creditsExhaustedAt !== undefined ? { exhaustedAt: Number(row.creditsExhaustedAt) } : {}),
        };
  const state = HEALTH_STATES.find((s) => s === row.healthState) ?? 'unreachable';
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: row.id,
    tenantId: row.tenantId,
    bot: row.bot,
    channel: row.channel,
    server: row.server,
    discordToken: row.discordToken,
    discordFingerprint: row.discordFingerprint,
    maxJobs: num(row.maxJobs),
    listed: Number(row.listed) === 1,
    replyUrl: row.replyUrl ?? null,
    credits,
    commandCheck: parseJson<CommandCheck>(row.commandCheck),
    quarantineUntil: row.quarantineUntil === null || row.quarantineUntil === undefined ? null : Number(row.quarantineUntil),
    botMessages: parseJson<BotMessageNote[]>(row.botMessages) ?? [],
    health: {
      state,
      reason: row.healthReason,
      detail: row.healthDetail,
      failures: Number(row.healthFailures),
      since: num(row.healthSince),
      until: num(row.healthUntil),
      nextProbeAt: num(row.nextProbeAt),
    },
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    proxy: row.proxy ?? null,
    reportedStatus: parseJson<ReportedAccountStatus>(row.reportedStatus),
  };
}

export class SqlAccountStore implements AccountStore {
  private readonly compiled = new CompiledStatements();

  constructor(
    private readonly dialect: StoreDialect,
    /** Listed accounts by tenant and bot; every write below runs through `cache.write` (lease-store.ts writes only lease columns, which records do not hold). */
    private readonly cache: TableCache<AccountRecord[]>,
  ) {}

  private get db() {
    return this.dialect.db;
  }

  async list(tenantId: string, bot: string): Promise<AccountRecord[]> {
    // Every submission selects among these: compiled once, and kept between changes (table-cache.ts).
    const accounts = await this.cache.read(`${tenantId}\n${bot}`, async () => {
      const rows = await this.compiled.rows(this.db, 'list', { tenantId, bot }, (v) =>
        this.db.selectFrom('accounts').selectAll().where('tenantId', '=', v.tenantId).where('bot', '=', v.bot).where('listed', '=', 1).orderBy('createdAt').orderBy('channel'),
      );
      return rows.map(toAccount);
    });
    // The records are frozen and shared; the array is the caller's own.
    return [...accounts!];
  }

  async ensureUnlisted(input: AccountInput): Promise<AccountRecord> {
    const { now, proxy: _proxy, ...fields } = input;
    await this.cache.write(() =>
      guardUnique(this.dialect, () =>
        this.db
          .insertInto('accounts')
          .values({ ...fields, listed: 0, healthSince: now, createdAt: now, updatedAt: now })
          .onConflict((oc) =>
            oc
              .columns(['tenantId', 'bot', 'channel'])
              .doUpdateSet({ discordToken: input.discordToken, discordFingerprint: input.discordFingerprint, maxJobs: input.maxJobs, updatedAt: now })
              .where('accounts.listed', '=', 0),
          )
          .execute(),
      ),
    );
    const row = await this.db.selectFrom('accounts').selectAll().where('tenantId', '=', input.tenantId).where('bot', '=', input.bot).where('channel', '=', input.channel).executeTakeFirstOrThrow();
    return toAccount(row);
  }

  async withFingerprint(fingerprint: string): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().where('discordFingerprint', '=', fingerprint).orderBy('createdAt').orderBy('id').execute();
    return rows.map(toAccount);
  }

  async listUnlisted(tenantId: string, bot: string): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().where('tenantId', '=', tenantId).where('bot', '=', bot).where('listed', '=', 0).orderBy('updatedAt', 'desc').orderBy('channel').execute();
    return rows.map(toAccount);
  }

  async purgeUnusedUnlisted(before: number): Promise<string[]> {
    return this.cache.write(() =>
      this.db.transaction().execute(async (trx) => {
        const stale = await trx
          .selectFrom('accounts')
          .select('id')
          .where('listed', '=', 0)
          .where('updatedAt', '<', before)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.jobid').whereRef('jobs.accountId', '=', 'accounts.id').where('jobs.status', 'in', ACTIVE))))
          .execute();
        if (stale.length === 0) return [];
        const ids = stale.map((r) => r.id);
        await trx.deleteFrom('accounts').where('id', 'in', ids).where('listed', '=', 0).execute();
        return ids;
      }),
    );
  }

  async countForTenant(tenantId: string): Promise<number> {
    const row = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number | string>().as('n')).where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listAll(): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('createdAt').orderBy('id').execute();
    return rows.map(toAccount);
  }

  async getById(accountId: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    return row && toAccount(row);
  }

  async get(tenantId: string, bot: string, channel: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('tenantId', '=', tenantId).where('bot', '=', bot).where('channel', '=', channel).executeTakeFirst();
    return row && toAccount(row);
  }

  async upsert(input: AccountInput): Promise<AccountRecord> {
    const { now, proxy = null, ...fields } = input;
    const row = await this.cache.write(() =>
      guardUnique(this.dialect, () =>
        this.db
          .insertInto('accounts')
          .values({ ...fields, proxy, healthSince: now, createdAt: now, updatedAt: now })
          .onConflict((oc) =>
            oc.columns(['tenantId', 'bot', 'channel']).doUpdateSet({
              listed: 1,
              server: input.server,
              discordToken: input.discordToken,
              discordFingerprint: input.discordFingerprint,
              maxJobs: input.maxJobs,
              replyUrl: input.replyUrl ?? null,
              proxy,
              updatedAt: now,
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    );
    return toAccount(row);
  }

  async delete(tenantId: string, bot: string, channel: string): Promise<boolean> {
    const result = await this.cache.write(() => this.db.deleteFrom('accounts').where('tenantId', '=', tenantId).where('bot', '=', bot).where('channel', '=', channel).executeTakeFirst());
    return Number(result.numDeletedRows) > 0;
  }

  async setCredits(accountId: string, credits: Credits | null, now: number): Promise<void> {
    await this.cache.write(() =>
      this.db
        .updateTable('accounts')
        .set({ creditsTotal: credits?.total ?? null, creditsUsed: credits?.used ?? null, creditsTimestamp: credits?.timestamp ?? null, creditsExhaustedAt: credits?.exhaustedAt ?? null, updatedAt: now })
        .where('id', '=', accountId)
        .execute(),
    );
  }

  async setReportedStatus(accountId: string, status: ReportedAccountStatus | null, now: number): Promise<void> {
    await this.cache.write(() => this.db.updateTable('accounts').set({ reportedStatus: status ? JSON.stringify(status) : null, updatedAt: now }).where('id', '=', accountId).execute());
  }

  async setCommandCheck(accountId: string, check: CommandCheck | null, now: number): Promise<void> {
    await this.cache.write(() => this.db.updateTable('accounts').set({ commandCheck: check ? JSON.stringify(check) : null, updatedAt: now }).where('id', '=', accountId).execute());
  }

  async setQuarantine(accountId: string, until: number | null, now: number): Promise<void> {
    await this.cache.write(() => this.db.updateTable('accounts').set({ quarantineUntil: until, updatedAt: now }).where('id', '=', accountId).execute());
  }

  async noteBotMessage(accountId: string, note: BotMessageNote, keep: number): Promise<void> {
    // Read-modify-write: notes are observations, and a note lost to a concurrent write is harmless.
    const row = await this.db.selectFrom('accounts').select('botMessages').where('id', '=', accountId).executeTakeFirst();
    if (!row) return;
    const notes = [...(parseJson<BotMessageNote[]>(row.botMessages) ?? []), note].slice(-Math.max(1, keep));
    await this.cache.write(() => this.db.updateTable('accounts').set({ botMessages: JSON.stringify(notes) }).where('id', '=', accountId).execute());
  }

  async setHealth(accountId: string, health: AccountHealth, now: number): Promise<void> {
    await this.cache.write(() =>
      this.db
        .updateTable('accounts')
        .set({
          healthState: health.state,
          healthReason: health.reason,
          healthDetail: health.detail,
          healthFailures: health.failures,
          healthSince: health.since,
          healthUntil: health.until,
          nextProbeAt: health.nextProbeAt,
          updatedAt: now,
        })
        .where('id', '=', accountId)
        .execute(),
    );
  }
}

