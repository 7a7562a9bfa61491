/**
 * Reads of one table kept in memory until the table may have changed — for the two reads every
 * API call makes: the bearer token's tenant and the accounts a submission selects among. On
 * SQLite with 50 accounts the account list alone took ~0.35 ms of SQLite per submission plus the
 * decoding of 50 rows (`npx tsx bench/statements.ts sqlite 50 1500`, 2026-12-02), about a
 * tenth of switchboard's CPU per job.
 *
 * Exact, not a TTL: a cached read is served only while nothing can have changed it.
 * - This process's writes: the stores run every write to the table through
 *   {@link TableCache.write} (tenant-store.ts, account-store.ts), or forget after it (sealed-store.ts).
 * - Other processes' writes: the dialect's `externalChanges` counter (SQLite's
 *   `PRAGMA data_version`, which "will be different if changes were committed to the database by
 *   any other connection in the interim": https://www.sqlite.org/pragma.html#pragma_data_version)
 *   is read before every cached read; any change forgets everything. That is how a token revoked
 *   by `switchboard token revoke` (another process) answers 401 on the very next request.
 * A dialect without such a counter (PostgreSQL: other instances write all the time, and knowing
 * they did not would take a statement as costly as the read) caches nothing.
 *
 * Cached values are frozen (deeply): they are shared by every caller.
 */

/** Entries kept per table; beyond that the cache starts afresh (many tokens in use is no reason to grow without bound). */
const MAX_ENTRIES = 10_000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export class TableCache<V> {
  readonly #entries = new Map<string, V>();
  /** Bumped by every forget: a read that started before one must not store what it read. */
  #generation = 0;
  #external: number | undefined;

  constructor(private readonly externalChanges: (() => number) | undefined) {}

  /** The cached value of `key`, else `load()`'s (kept when found: `undefined` is never kept). */
  async read(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (!this.externalChanges) return load();
    const external = this.externalChanges();
    if (external !== this.#external) {
      this.forget();
      this.#external = external;
    }
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const generation = this.#generation;
    const value = await load();
    if (value !== undefined && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(key, deepFreeze(value));
    }
    return value;
  }

  /** Runs a write to the table; every cached read of it is forgotten once the write has landed (or failed). */
  async write<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.forget();
    }
  }

  /** The table changed (or may have): every cached read of it goes. */
  forget(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
