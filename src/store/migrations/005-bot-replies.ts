import type { Kysely, Migration } from 'kysely';

/**
 * Reading the real bots (issue 12): when an account ran out of credits (so it is put back by the
 * reset rule, not by a guessed clock), the result of comparing the bot's commands with Discord's
 * live command index, a per-channel quarantine after an interaction failure, and the bot messages
 * no rule understood — per account (recent ones, for the dashboard) and per job.
 */
export const migration005: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('accounts').addColumn('credits_exhausted_at', 'bigint').execute();
    await db.schema.alterTable('accounts').addColumn('command_check', 'text').execute();
    await db.schema.alterTable('accounts').addColumn('quarantine_until', 'bigint').execute();
    await db.schema.alterTable('accounts').addColumn('bot_messages', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('bot_messages', 'text').execute();
  },
};
