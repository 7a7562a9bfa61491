/**
 * Counts the SQL statements a process sends to its store, by wrapping the two drivers' points of
 * execution: better-sqlite3's statement `run`/`get`/`all`/`iterate` and `Database.exec` (not
 * `prepare`: the SQLite store caches prepared statements, so preparations undercount — they went
 * to 0 once the cache was warm), and pg's `Client.query`. Transaction BEGIN/COMMIT count as
 * statements on both. Only benchmark workers install it; the cost is one increment per statement.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

let statements = 0;
let installed = false;

function countCalls(prototype: object, methods: readonly string[]): void {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function') throw new Error(`cannot count statements: no ${method}`);
    target[method] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
  }
}

export function countStatements(): void {
  if (installed) return;
  installed = true;
  // The Statement class is not exported: reach its prototype through a throwaway statement.
  const probe = new BetterSqlite3(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('SELECT 1')) as object;
  probe.close();
  countCalls(statementPrototype, ['run', 'get', 'all', 'iterate']);
  countCalls(BetterSqlite3.prototype, ['exec']);
  countCalls(pg.Client.prototype, ['query']);
}

export function statementsSoFar(): number {
  return statements;
}

/** Takes back statements the benchmark itself caused (e.g. its own polling), so they are not charged to the jobs. */
export function discountStatements(count: number): void {
  statements -= count;
}
