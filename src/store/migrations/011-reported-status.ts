import type { Kysely, Migration } from 'kysely';

/**
 * What a bot last said about an account's state on its side (e.g. a speed mode), as
 * JSON `{ at, fields }` written by the job runner from the provider's reading of the bot's
 * replies. Null until the bot has said something.
 */
export const migration011: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('accounts').addColumn('reported_status', 'text').execute();
  },
};
