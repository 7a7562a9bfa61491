import { sql, type Kysely, type Migration } from 'kysely';

/**
 * One Discord account, one owner: a token (by its keyed fingerprint) belongs to one tenant, and
 * within it to one configuration per bot. The unique index on (bot, fingerprint) makes that hold
 * under concurrent saves for the same bot (two tenants racing for one account); the application
 * check refuses another tenant using the token for the other bot. A database where rows already
 * share a token across tenants (allowed before) keeps working: the index is then left out and the
 * application check alone refuses new duplicates (README "One Discord account, one owner").
 */
export const migration007: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('accounts_fingerprint').on('accounts').column('discord_fingerprint').execute();
    await addOwnerIndexIfPossible(db);
  },
};

/** Creates the unique index when no two rows share a token; true when it exists afterwards. */
export async function addOwnerIndexIfPossible(db: Kysely<any>): Promise<boolean> {
  const shared = await sql<{ n: number }>`select count(*) as n from (select bot, discord_fingerprint from accounts group by bot, discord_fingerprint having count(*) > 1) d`.execute(db);
  if (Number(shared.rows[0]?.n ?? 0) > 0) return false;
  await sql`create unique index if not exists accounts_discord_owner_unique on accounts (bot, discord_fingerprint)`.execute(db);
  return true;
}
