import type { Kysely, Migration } from 'kysely';

/**
 * Per-account outbound proxy (issue 13): the proxy URL, credentials included, encrypted at rest
 * like the Discord token (AES-256-GCM ciphertext from src/secrets). Null: the account uses the
 * configured default (`SWITCHBOARD_PROXY`), or connects directly.
 */
export const migration006: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('accounts').addColumn('proxy', 'text').execute();
  },
};
