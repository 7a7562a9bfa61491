/**
 * Counts the SQL statements a process sends to its store, by wrapping the two drivers' entry
 * points: better-sqlite3 `prepare` (Kysely prepares every statement it runs) and pg's
 * `Client.query`. Only benchmark workers install it; the cost is one increment per statement.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

let statements = 0;
let installed = false;

export function countStatements(): void {
  if (installed) return;
  installed = true;
  const sqlite = BetterSqlite3.prototype as unknown as { prepare: (...args: unknown[]) => unknown };
  const prepare = sqlite.prepare;
  sqlite.prepare = function (this: unknown, ...args: unknown[]) {
    statements++;
    return prepare.apply(this, args);
  };
  const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  };
}

export function statementsSoFar(): number {
  return statements;
}
