/**
 * Statements compiled once. Building a Kysely query, passing it through the camel-case plugin and
 * compiling it to SQL took more of switchboard's CPU than SQLite took to run the statements every
 * job runs (Linux perf of the throughput benchmark, 2026-12-02: about 12% of the process in
 * building and compiling, against 24% in SQLite itself). For those few statements the SQL is
 * compiled the first time, from the same builder code with placeholders in place of the values,
 * and later executions only put the values in — Kysely's "splitting query building and
 * execution" recipe, with parameters:
 * https://github.com/kysely-org/kysely/blob/master/site/docs/recipes/0004-splitting-query-building-and-execution.md
 * The SQL is exactly what Kysely produces for the query; results go through the same plugins.
 *
 * The one rule for a builder: a placeholder stands for a value only. Whatever changes the SQL
 * text — the columns set, an IN list, whether a limit applies, a value Kysely would turn into
 * `IS NULL` — must be part of the key, and such values must be passed as constants, not read
 * from the placeholders.
 */
import { createQueryId, type Compilable, type CompiledQuery, type Kysely } from 'kysely';

/** A value's place in a compiled statement, filled at each execution. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** Distinct SQL shapes kept; beyond that a statement is built each time (a bug to fix, not a leak). */
const MAX_SHAPES = 500;

export class CompiledStatements {
  readonly #compiled = new Map<string, CompiledQuery>();

  /**
   * Runs the statement `key` with `values`: compiled by `build` on first use (given placeholders
   * typed as the values, so the builder reads like an ordinary query), then reused. `db` may be
   * the store's handle or a transaction.
   */
  async rows<P extends object, R>(db: Kysely<any>, key: string, values: P, build: (values: P) => Compilable<R>): Promise<R[]> {
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      if (this.#compiled.size >= MAX_SHAPES) return (await db.executeQuery<R>(build(values).compile())).rows;
      const placeholders = new Proxy({} as P, { get: (_target, name) => new Placeholder(String(name)) });
      compiled = build(placeholders).compile();
      this.#compiled.set(key, compiled);
    }
    const parameters = compiled.parameters.map((parameter) => {
      if (!(parameter instanceof Placeholder)) return parameter;
      const value = (values as Record<string, unknown>)[parameter.name];
      if (value === undefined) throw new TypeError(`compiled statement ${key}: no value for ${parameter.name}`);
      return value;
    });
    const result = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    return result.rows;
  }

  async first<P extends object, R>(db: Kysely<any>, key: string, values: P, build: (values: P) => Compilable<R>): Promise<R | undefined> {
    return (await this.rows(db, key, values, build))[0];
  }
}
