/**
 * The one {@link Store} implementation, written once against Kysely and shared by both dialects.
 * Each table group has its own file; a dialect (see `sqlite/` and `postgres/`) supplies the
 * connection and the few facts that differ.
 */
import { SqlAccountStore } from './account-store.ts';
import type { StoreDialect } from './dialect.ts';
import { SqlJobStore } from './job-store.ts';
import { SqlLeaseStore } from './lease-store.ts';
import { SqlMetaStore } from './meta-store.ts';
import { SqlOutboxStore } from './outbox-store.ts';
import { SqlSealedStore } from './sealed-store.ts';
import { TableCache } from './table-cache.ts';
import { SqlTenantStore } from './tenant-store.ts';
import type { AccountRecord, AccountStore, JobStore, LeaseStore, MetaStore, OutboxStore, SealedStore, Store, StoreNotifications, TenantStore, TenantWithHash } from './types.ts';

export type { StoreDialect } from './dialect.ts';

export class SqlStore implements Store {
  readonly description: string;
  readonly tenants: TenantStore;
  readonly accounts: AccountStore;
  readonly meta: MetaStore;
  readonly sealed: SealedStore;
  readonly jobs: JobStore;
  readonly outbox: OutboxStore;
  readonly leases: LeaseStore;
  readonly notifications?: StoreNotifications;

  constructor(private readonly dialect: StoreDialect) {
    this.description = dialect.description;
    // The reads every API call makes, kept between changes where the dialect can tell (table-cache.ts).
    const tenantsCache = new TableCache<TenantWithHash>(dialect.externalChanges);
    const accountsCache = new TableCache<AccountRecord[]>(dialect.externalChanges);
    this.tenants = new SqlTenantStore(dialect, tenantsCache);
    this.accounts = new SqlAccountStore(dialect, accountsCache);
    this.meta = new SqlMetaStore(dialect.db);
    // Re-sealing rewrites tokens (and their fingerprints) in both tables.
    this.sealed = new SqlSealedStore(dialect, () => {
      tenantsCache.forget();
      accountsCache.forget();
    });
    this.jobs = new SqlJobStore(dialect);
    this.outbox = new SqlOutboxStore(dialect);
    this.leases = new SqlLeaseStore(dialect);
    if (dialect.notifications) this.notifications = dialect.notifications;
  }

  async ping(): Promise<void> {
    await this.dialect.db.selectFrom('switchboardMeta').select('key').limit(1).execute();
  }

  close(): Promise<void> {
    return this.dialect.close();
  }
}
