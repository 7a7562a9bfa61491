/**
 * The one {@link Store} implementation, written once against Kysely and shared by both dialects.
 * A dialect (see `sqlite/` and `postgres/`) supplies the connection and the few facts that differ.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database, TenantsTable } from './schema.ts';
import {
  UniqueViolation,
  type AccountHealth,
  type AccountInput,
  type AccountRecord,
  type AccountStore,
  type Credits,
  type HealthState,
  type MetaStore,
  type Store,
  type TenantRecord,
  type TenantStore,
  type NewTenant,
} from './types.ts';

/** What a dialect contributes to the shared store. */
export interface StoreDialect {
  readonly db: Kysely<Database>;
  readonly description: string;
  /**
   * Runs `fn` in a transaction that excludes every other `exclusive` caller on the same database,
   * in this process and in others (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
   */
  exclusive<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Names the uniqueness rule a driver error broke, or undefined when it is another error. */
  uniqueViolationField(error: unknown): UniqueViolation['field'] | undefined;
  close(): Promise<void>;
}

export class SqlStore implements Store {
  readonly description: string;
  readonly tenants: TenantStore;
  readonly accounts: AccountStore;
  readonly meta: MetaStore;

  constructor(private readonly dialect: StoreDialect) {
    this.description = dialect.description;
    this.tenants = new SqlTenantStore(dialect);
    this.accounts = new SqlAccountStore(dialect);
    this.meta = new SqlMetaStore(dialect.db);
  }

  async ping(): Promise<void> {
    await this.dialect.db.selectFrom('switchboardMeta').select('key').limit(1).execute();
  }

  close(): Promise<void> {
    return this.dialect.close();
  }
}

/** Runs a write and turns a driver's unique-constraint error into {@link UniqueViolation}. */
async function guardUnique<T>(dialect: StoreDialect, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const field = dialect.uniqueViolationField(error);
    if (field) throw new UniqueViolation(field, { cause: error });
    throw error;
  }
}

function toTenant(row: Selectable<TenantsTable>): TenantRecord {
  return { id: row.id, name: row.name, tokenHint: row.tokenHint, createdAt: Number(row.createdAt), revokedAt: row.revokedAt === null ? null : Number(row.revokedAt) };
}

class SqlTenantStore implements TenantStore {
  constructor(private readonly dialect: StoreDialect) {}

  async create(tenant: NewTenant): Promise<TenantRecord> {
    await guardUnique(this.dialect, () => this.dialect.db.insertInto('tenants').values({ ...tenant, revokedAt: null }).execute());
    return { id: tenant.id, name: tenant.name, tokenHint: tenant.tokenHint, createdAt: tenant.createdAt, revokedAt: null };
  }

  async findByTokenHash(tokenHash: string): Promise<(TenantRecord & { tokenHash: string }) | undefined> {
    const row = await this.dialect.db.selectFrom('tenants').selectAll().where('tokenHash', '=', tokenHash).where('revokedAt', 'is', null).executeTakeFirst();
    return row && { ...toTenant(row), tokenHash: row.tokenHash };
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.dialect.db.selectFrom('tenants').selectAll().orderBy('createdAt').orderBy('id').execute();
    return rows.map(toTenant);
  }

  async revoke(idOrName: string, at: number): Promise<TenantRecord[]> {
    const rows = await this.dialect.db
      .updateTable('tenants')
      .set({ revokedAt: at })
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revokedAt', 'is', null)
      .returningAll()
      .execute();
    return rows.map(toTenant);
  }

  async countActive(): Promise<number> {
    const row = await this.dialect.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number | string>().as('n')).where('revokedAt', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

const HEALTH_STATES: readonly HealthState[] = ['active', 'cooling_down', 'needs_human', 'auth_failed', 'unreachable'];

function toAccount(row: Selectable<AccountsTable>): AccountRecord {
  const credits: Credits | null =
    row.creditsTotal === null || row.creditsUsed === null || row.creditsTimestamp === null
      ? null
      : { timestamp: row.creditsTimestamp, total: Number(row.creditsTotal), used: Number(row.creditsUsed) };
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
    credits,
    health: { state, reason: row.healthReason, since: num(row.healthSince), until: num(row.healthUntil), nextProbeAt: num(row.nextProbeAt) },
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

class SqlAccountStore implements AccountStore {
  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  async list(tenantId: string, bot: string): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().where('tenantId', '=', tenantId).where('bot', '=', bot).orderBy('createdAt').orderBy('channel').execute();
    return rows.map(toAccount);
  }

  async get(tenantId: string, bot: string, channel: string): Promise<AccountRecord | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('tenantId', '=', tenantId).where('bot', '=', bot).where('channel', '=', channel).executeTakeFirst();
    return row && toAccount(row);
  }

  async upsert(input: AccountInput): Promise<AccountRecord> {
    const { now, ...fields } = input;
    const row = await guardUnique(this.dialect, () =>
      this.db
        .insertInto('accounts')
        .values({ ...fields, healthSince: now, createdAt: now, updatedAt: now })
        .onConflict((oc) =>
          oc.columns(['tenantId', 'bot', 'channel']).doUpdateSet({
            server: input.server,
            discordToken: input.discordToken,
            discordFingerprint: input.discordFingerprint,
            maxJobs: input.maxJobs,
            updatedAt: now,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toAccount(row);
  }

  async delete(tenantId: string, bot: string, channel: string): Promise<boolean> {
    const result = await this.db.deleteFrom('accounts').where('tenantId', '=', tenantId).where('bot', '=', bot).where('channel', '=', channel).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setCredits(accountId: string, credits: Credits | null, now: number): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ creditsTotal: credits?.total ?? null, creditsUsed: credits?.used ?? null, creditsTimestamp: credits?.timestamp ?? null, updatedAt: now })
      .where('id', '=', accountId)
      .execute();
  }

  async setHealth(accountId: string, health: AccountHealth, now: number): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ healthState: health.state, healthReason: health.reason, healthSince: health.since, healthUntil: health.until, nextProbeAt: health.nextProbeAt, updatedAt: now })
      .where('id', '=', accountId)
      .execute();
  }
}

class SqlMetaStore implements MetaStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('switchboardMeta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db.insertInto('switchboardMeta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`meta key ${key} vanished after insert`);
    return stored;
  }
}
