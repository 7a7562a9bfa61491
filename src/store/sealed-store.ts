/**
 * Every value sealed under the secret key (src/secrets), read and rewritten in one transaction so
 * a key change (`switchboard secret rotate`, the move to scrypt) is all or nothing. A new sealed
 * column is one more entry in {@link SEALED_COLUMNS}.
 */
import type { StoreDialect } from './dialect.ts';
import type { SealedRewrite, SealedStore, SealedValue } from './types.ts';

/** Columns holding sealed values, by table. The accounts' fingerprints follow their tokens. */
const SEALED_COLUMNS = [
  { table: 'accounts', column: 'discordToken' },
  { table: 'accounts', column: 'proxy' },
  { table: 'tenants', column: 'webhookSecret' },
] as const;

export class SqlSealedStore implements SealedStore {
  constructor(
    private readonly dialect: StoreDialect,
    /** Called once a rewrite committed: cached reads of the rewritten tables are stale. */
    private readonly rewritten: () => void = () => {},
  ) {}

  async rewrite(expectedKeyCheck: string, reseal: SealedRewrite, meta: Record<string, string>): Promise<boolean> {
    const done = await this.dialect.db.transaction().execute(async (trx) => {
      // Claim the change first: a second process doing the same waits here, then finds the check changed.
      const claimed = await trx
        .updateTable('switchboardMeta')
        .set({ value: meta.secret_key_check ?? expectedKeyCheck })
        .where('key', '=', 'secret_key_check')
        .where('value', '=', expectedKeyCheck)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      for (const { table, column } of SEALED_COLUMNS) {
        const rows = (await trx.selectFrom(table).select(['id', column]).execute()) as unknown as ({ id: string } & Record<string, string | null>)[];
        for (const row of rows) {
          const sealed = row[column];
          if (sealed === null || sealed === undefined) continue;
          const next: SealedValue = reseal({ table, column, id: row.id, sealed });
          const set: Record<string, string> = { [column]: next.sealed };
          if (table === 'accounts' && column === 'discordToken' && next.fingerprint !== undefined) set.discordFingerprint = next.fingerprint;
          await trx.updateTable(table).set(set).where('id', '=', row.id).execute();
        }
      }
      for (const [key, value] of Object.entries(meta)) {
        if (key === 'secret_key_check') continue;
        await trx.deleteFrom('switchboardMeta').where('key', '=', key).execute();
        await trx.insertInto('switchboardMeta').values({ key, value }).execute();
      }
      return true;
    });
    if (done) this.rewritten();
    return done;
  }
}
