/**
 * One cell of table 2, for working on it: switchboard on one store with N accounts and M jobs
 * (optionally the raw ceiling beside it), printed as jobs/s and statements per job.
 *
 *   npx tsx bench/throughput-one.ts [sqlite|postgres] [accounts] [jobs] [--ceiling]
 *   BENCH_PROFILE=/tmp/prof BENCH_PROFILE_ONLY=switchboard npx tsx bench/throughput-one.ts postgres 10 1000
 */
import type { StoreKind } from './support/databases.ts';
import { viaRawClient, viaSwitchboard } from './throughput.ts';

const kind = (process.argv[2] ?? 'postgres') as StoreKind;
const accounts = Number(process.argv[3] ?? 10);
const jobs = Number(process.argv[4] ?? 1000);
const ctx = { quick: false, log: (message: string) => process.stderr.write(`[bench] ${message}\n`) };

const ceiling = process.argv.includes('--ceiling') ? await viaRawClient(accounts, jobs, ctx) : undefined;
const m = await viaSwitchboard(kind, accounts, jobs, ctx);
const ratio = ceiling ? ` (ceiling ${ceiling.rate.toFixed(0)} jobs/s, ratio ${(m.rate / ceiling.rate).toFixed(2)})` : '';
console.log(`${kind}, ${accounts} accounts, ${jobs} jobs: ${m.rate.toFixed(1)} jobs/s${ratio}, ${m.statementsPerJob?.toFixed(2)} statements/job, ${m.cpuMsPerJob?.toFixed(2)} CPU ms/job in switchboard, ${m.generatorCpuMsPerJob?.toFixed(2)} in the load generator, ${m.completed} completed, ${m.refused} refused`);

// Where a job's time goes: waiting for a slot (created → started) and holding it (started → finished).
const rows = m.rows ?? [];
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const waited = rows.filter((j) => j.startedAt).map((j) => j.startedAt! - j.createdAt);
const held = rows.filter((j) => j.startedAt && j.finishedAt).map((j) => j.finishedAt! - j.startedAt!);
console.log(`median ms: created → started ${median(waited)}, started → finished ${median(held)}; mean held ${(held.reduce((a, b) => a + b, 0) / held.length).toFixed(1)}`);
