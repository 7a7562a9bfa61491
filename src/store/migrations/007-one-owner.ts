import { sql, type Kysely, type Migration } from 'kysely';

/**
 * One Discord account, one owner: a token (by its keyed fingerprint) may sit in one account row
 * only — one tenant, one bot configuration. The unique index makes the rule hold under concurrent
 * saves. A database where two rows already share a token (allowed before) keeps working: the
 * index is then left out and the application check alone refuses new duplicates; the operator
 * resolves the old ones (README "One Discord account, one owner"), and a later start adds it.
 */
export const migration007: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('accounts_fingerprint').on('accounts').column('discord_fingerprint').execute();
    await addOwnerIndexIfPossible(db);
  },
};

/** Creates the unique index when no two rows share a token; true when it exists afterwards. */
export async function addOwnerIndexIfPossible(db: Kysely<any>): Promise<boolean> {
  const shared = await sql<{ n: number }>`select count(*) as n from (select discord_fingerprint from accounts group by discord_fingerprint having count(*) > 1) d`.execute(db);
  if (Number(shared.rows[0]?.n ?? 0) > 0) return false;
  await sql`create unique index if not exists accounts_discord_owner_unique on accounts (discord_fingerprint)`.execute(db);
  return true;
}
