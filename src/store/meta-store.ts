/** A small key/value table for facts about the database itself (e.g. the key check). */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { MetaStore } from './types.ts';

export class SqlMetaStore implements MetaStore {
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
