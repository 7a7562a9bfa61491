/**
 * Where a Pika job's SQL statements go: runs the throughput benchmark's switchboard side once
 * (one store, N accounts, M jobs) and prints executions per job by SQL text, most first.
 *
 *   npx tsx bench/statements.ts [sqlite|postgres] [accounts] [jobs]
 */
import type { StoreKind } from './support/databases.ts';
import { drained, startSwitchboard, submitPikaJobs, withWorkers } from './support/workers.ts';
import { SIMULATOR } from './throughput.ts';

process.env.BENCH_STATEMENT_HISTOGRAM = '1';
const kind = (process.argv[2] ?? 'postgres') as StoreKind;
const accounts = Number(process.argv[3] ?? 10);
const jobs = Number(process.argv[4] ?? 300);
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

await withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
  const discord = await sim!.call<{ apiUrl: string; gatewayUrl: string }>('start', SIMULATOR);
  const server = await startSwitchboard(sb!, discord, kind, { env: { SWITCHBOARD_QUEUE_LIMIT: '10000' }, pacing: 'none' });
  await sb!.call('addAccounts', { bot: 'pika', accounts: await sim!.call('pikaAccounts', accounts), maxJobs: 10 });
  await sb!.call('connectAll');
  await submitPikaJobs(server, ids('warm', Math.min(4 * accounts, 40)), 8);
  await drained(sb!, 60_000);
  const before = new Map((await sb!.call<[string, number, number][]>('statementHistogram')).map(([text, n, ms]) => [text, { n, ms }]));
  const total = await sb!.call<number>('statements');
  await submitPikaJobs(server, ids('job', jobs), 32);
  await drained(sb!, 300_000);
  const after = await sb!.call<[string, number, number][]>('statementHistogram');
  const counted = (await sb!.call<number>('statements')) - total;
  const rows = after.map(([text, n, ms]) => [text, n - (before.get(text)?.n ?? 0), ms - (before.get(text)?.ms ?? 0)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  console.log(`${kind}, ${accounts} accounts, ${jobs} jobs: ${(counted / jobs).toFixed(2)} statements per job (counted, polling discounted)`);
  console.log('per job   ms/job (driver call; PostgreSQL: until the query is sent)  statement');
  for (const [text, n, ms] of rows) console.log(`${(n / jobs).toFixed(2).padStart(7)}  ${(ms / jobs).toFixed(3).padStart(7)}  ${text}`);
});
