/** Tenants: one per API token. */
import type { Selectable } from 'kysely';
import { CompiledStatements } from './compiled.ts';
import type { TableCache } from './table-cache.ts';
import { guardUnique, type StoreDialect } from './dialect.ts';
import type { TenantsTable } from './schema.ts';
import type { NewTenant, TenantRecord, TenantStore, TenantWithHash } from './types.ts';

function toTenant(row: Selectable<TenantsTable>): TenantRecord {
  return { id: row.id, name: row.name, tokenHint: row.tokenHint, createdAt: Number(row.createdAt), revokedAt: row.revokedAt === null ? null : Number(row.revokedAt) };
}

export class SqlTenantStore implements TenantStore {
  private readonly compiled = new CompiledStatements();

  constructor(
    private readonly dialect: StoreDialect,
    /** Tenants by token hash (found ones only); every write below runs through `cache.write`. */
    private readonly cache: TableCache<TenantWithHash>,
  ) {}

  async create(tenant: NewTenant): Promise<TenantRecord> {
    await this.cache.write(() => guardUnique(this.dialect, () => this.dialect.db.insertInto('tenants').values({ ...tenant, revokedAt: null }).execute()));
    return { id: tenant.id, name: tenant.name, tokenHint: tenant.tokenHint, createdAt: tenant.createdAt, revokedAt: null };
  }

  async findByTokenHash(tokenHash: string): Promise<TenantWithHash | undefined> {
    // Every API call authenticates: compiled once, and kept between changes (table-cache.ts).
    const db = this.dialect.db;
    return this.cache.read(tokenHash, async () => {
      const row = await this.compiled.first(db, 'byTokenHash', { tokenHash }, (v) => db.selectFrom('tenants').selectAll().where('tokenHash', '=', v.tokenHash).where('revokedAt', 'is', null));
      return row && { ...toTenant(row), tokenHash: row.tokenHash };
    });
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.dialect.db.selectFrom('tenants').selectAll().orderBy('createdAt').orderBy('id').execute();
    return rows.map(toTenant);
  }

  async revoke(idOrName: string, at: number): Promise<TenantRecord[]> {
    const rows = await this.cache.write(() =>
      this.dialect.db
        .updateTable('tenants')
        .set({ revokedAt: at })
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .where('revokedAt', 'is', null)
        .returningAll()
        .execute(),
    );
    return rows.map(toTenant);
  }

  async countActive(): Promise<number> {
    const row = await this.dialect.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number | string>().as('n')).where('revokedAt', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async webhookSecret(tenantId: string, create: () => string): Promise<string> {
    const read = async () => (await this.dialect.db.selectFrom('tenants').select('webhookSecret').where('id', '=', tenantId).executeTakeFirst())?.webhookSecret;
    const existing = await read();
    if (existing) return existing;
    // Two first uses may race: only the first write lands, and both then read that one.
    await this.cache.write(() => this.dialect.db.updateTable('tenants').set({ webhookSecret: create() }).where('id', '=', tenantId).where('webhookSecret', 'is', null).execute());
    const stored = await read();
    if (!stored) throw new Error(`tenant ${tenantId} does not exist`);
    return stored;
  }

  async alertUrl(tenantId: string): Promise<string | null> {
    return (await this.dialect.db.selectFrom('tenants').select('alertUrl').where('id', '=', tenantId).executeTakeFirst())?.alertUrl ?? null;
  }

  async setAlertUrl(tenantId: string, url: string | null): Promise<void> {
    await this.cache.write(() => this.dialect.db.updateTable('tenants').set({ alertUrl: url }).where('id', '=', tenantId).execute());
  }
}
