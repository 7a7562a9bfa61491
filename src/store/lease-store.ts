/**
 * Leases on account rows. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances that
 * claim at the same moment split the free accounts instead of fighting over them.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreDialect } from './dialect.ts';
import type { LeaseStore } from './lease-types.ts';

/** The account row's tenant, when that tenant's token is revoked. */
function revokedTenant(eb: ExpressionBuilder<Database, 'accounts'>) {
  return eb.selectFrom('tenants').select('tenants.id').whereRef('tenants.id', '=', 'accounts.tenantId').where('tenants.revokedAt', 'is not', null);
}

export class SqlLeaseStore implements LeaseStore {
  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  async heartbeat(instanceId: string, now: number): Promise<void> {
    await this.db
      .insertInto('instances')
      .values({ id: instanceId, startedAt: now, heartbeatAt: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeatAt: now }))
      .execute();
  }

  async countLive(since: number): Promise<number> {
    const row = await this.db.selectFrom('instances').select((eb) => eb.fn.countAll<number | string>().as('n')).where('heartbeatAt', '>', since).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async leave(instanceId: string): Promise<void> {
    await this.db.updateTable('accounts').set({ leaseOwner: null, leaseUntil: null }).where('leaseOwner', '=', instanceId).execute();
    await this.db.deleteFrom('instances').where('id', '=', instanceId).execute();
  }

  async renew(instanceId: string, now: number, until: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('accounts')
      .set({ leaseUntil: until })
      .where('leaseOwner', '=', instanceId)
      .where('leaseUntil', '>', now)
      .where((eb) => eb.not(eb.exists(revokedTenant(eb))))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async claim(instanceId: string, count: number, now: number, until: number): Promise<string[]> {
    if (count <= 0) return [];
    return this.db.transaction().execute(async (trx) => {
      let free = trx
        .selectFrom('accounts')
        .select('id')
        .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<=', now)]))
        // A revoked token's accounts get no Gateway session anywhere (revocation means stop).
        .where((eb) => eb.not(eb.exists(revokedTenant(eb))))
        .orderBy(sql`random()`)
        .limit(count);
      if (this.dialect.rowLocks) free = free.forUpdate().skipLocked();
      const ids = (await free.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await trx.updateTable('accounts').set({ leaseOwner: instanceId, leaseUntil: until }).where('id', 'in', ids).returning('id').execute();
      return rows.map((r) => r.id);
    });
  }

  async releaseTenant(tenantId: string): Promise<number> {
    const result = await this.db.updateTable('accounts').set({ leaseOwner: null, leaseUntil: null }).where('tenantId', '=', tenantId).where('leaseOwner', 'is not', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async release(instanceId: string, accountIds: string[]): Promise<void> {
    if (accountIds.length === 0) return;
    await this.db.updateTable('accounts').set({ leaseOwner: null, leaseUntil: null }).where('leaseOwner', '=', instanceId).where('id', 'in', accountIds).execute();
  }

  async countAccounts(): Promise<number> {
    const row = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
