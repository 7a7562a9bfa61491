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
/** SQL text → executions, kept only when `BENCH_STATEMENT_HISTOGRAM=1` (to see where a job's statements go). */
const histogram = process.env.BENCH_STATEMENT_HISTOGRAM === '1' ? new Map<string, number>() : undefined;
/** SQL text → milliseconds spent in the driver call (synchronous for SQLite: the statement's whole cost). */
const timing = new Map<string, number>();

/** The SQL text of a call: a better-sqlite3 statement's `source`, pg's first argument (text or config). */
function sqlOf(self: unknown, args: unknown[]): string {
  const source = (self as { source?: unknown }).source;
  if (typeof source === 'string') return source;
  const first = args[0];
  if (typeof first === 'string') return first;
  const text = (first as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '(unknown)';
}

function countCalls(prototype: object, methods: readonly string[]): void {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function') throw new Error(`cannot count statements: no ${method}`);
    target[method] = function (this: unknown, ...args: unknown[]) {
      statements++;
      if (!histogram) return original.apply(this, args);
      const text = sqlOf(this, args).replace(/\s+/g, ' ').slice(0, 160);
      histogram.set(text, (histogram.get(text) ?? 0) + 1);
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        timing.set(text, (timing.get(text) ?? 0) + performance.now() - started);
      }
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

/** Executions by SQL text (most first), when `BENCH_STATEMENT_HISTOGRAM=1`; else empty. */
export function statementHistogram(): [sql: string, count: number, ms: number][] {
  return [...(histogram ?? new Map<string, number>())].map(([text, n]) => [text, n, timing.get(text) ?? 0] as [string, number, number]).sort((a, b) => b[1] - a[1]);
}

/** Takes back statements the benchmark itself caused (e.g. its own polling), so they are not charged to the jobs. */
export function discountStatements(count: number): void {
  statements -= count;
}
