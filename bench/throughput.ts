/**
 * Benchmark 2 — end-to-end throughput: Pika generations submitted over HTTP until every one has
 * completed, with N accounts (maxJobs 10 each, bot latency 0), on SQLite and on PostgreSQL. The
 * ceiling is the raw client (`support/raw-session.ts`) making the same Discord calls against the
 * same simulator with the same concurrency, without switchboard.
 */
import type { Benchmark, BenchContext } from './support/context.ts';
import { postgresUnavailable, type StoreKind } from './support/databases.ts';
import { sum } from './support/stats.ts';
import { verdict, type Cell, type Table } from './support/table.ts';
import { completedRun, drained, startSwitchboard, submitPikaJobs, UNLIMITED_REST, withWorkers, type JobRow } from './support/workers.ts';

const MAX_JOBS = 10;
/** HTTP requests in flight from the load generator. */
const SUBMITTERS = 32;
const TARGET_RATE = 200;
const TARGET_RATIO = 0.5;
const ISSUE_14_RATIO = 0.3;

export const SIMULATOR = { botLatencyMs: 0, rateLimit: UNLIMITED_REST, pikaConcurrency: MAX_JOBS, interactionTimeoutMs: 60_000 };

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/**
 * Both sides run as many jobs as they will measure before the measured run, at the same
 * concurrency: a steady state, not a process's first second. With the 40-job warm-up used until
 * 2026-12-02, V8 was still optimising switchboard's code during the measured window (388
 * optimisations in a 1,000-job window, `--trace-opt`; 48 after a 3,000-job warm-up) and TurboFan
 * itself took 13% of its CPU (Linux perf): the table measured start-up as much as throughput.
 */
const warmUpJobs = (jobs: number) => jobs;

interface Measured {
  rate: number;
  /** SQL statements per job (switchboard only). */
  statementsPerJob?: number;
  completed: number;
  restPerJob: number;
  refused: number;
  /** switchboard's job rows of the measured run (for `throughput-one.ts`). */
  rows?: JobRow[];
  /** CPU time switchboard's process spent per job (user + system), a measure less at the mercy of a busy machine. */
  cpuMsPerJob?: number;
  /** CPU time the load generator (this process) spent per job: taken from the same two cores. */
  generatorCpuMsPerJob?: number;
}

export async function viaSwitchboard(kind: StoreKind, accounts: number, jobs: number, ctx: BenchContext): Promise<Measured> {
  return withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
    const discord = await sim!.call<{ apiUrl: string; gatewayUrl: string }>('start', SIMULATOR);
    const server = await startSwitchboard(sb!, discord, kind, { env: { SWITCHBOARD_QUEUE_LIMIT: '10000' }, pacing: 'none' });
    await sb!.call('addAccounts', { bot: 'pika', accounts: await sim!.call('pikaAccounts', accounts), maxJobs: MAX_JOBS });
    await sb!.call('connectAll');
    await submitPikaJobs(server, ids('warm', warmUpJobs(jobs)), SUBMITTERS); // JIT, caches, command indexes
    await drained(sb!, 60_000);
    await sim!.call('resetReport');
    const statementsBefore = await sb!.call<number>('statements');
    const cpuBefore = await sb!.call<number>('cpuMs');
    // BENCH_WINDOW_PROFILE=<file>: a CPU profile of switchboard over the measured jobs only.
    const windowProfile = process.env.BENCH_WINDOW_PROFILE;
    if (windowProfile) await sb!.call('windowProfile', { action: 'start' });
    ctx.log(`throughput: switchboard ${kind}, ${accounts} accounts, ${jobs} jobs`);
    const generatorBefore = process.cpuUsage();
    const submitted = await submitPikaJobs(server, ids('job', jobs), SUBMITTERS);
    const generator = process.cpuUsage(generatorBefore);
    await drained(sb!, 300_000);
    const statements = (await sb!.call<number>('statements')) - statementsBefore;
    const cpuMs = (await sb!.call<number>('cpuMs')) - cpuBefore;
    if (windowProfile) await sb!.call('windowProfile', { action: 'stop', file: windowProfile });
    return { ...(await completedRun(sb!, sim!, submitted, jobs)), statementsPerJob: statements / jobs, cpuMsPerJob: cpuMs / jobs, generatorCpuMsPerJob: (generator.user + generator.system) / 1000 / jobs };
  });
}

export async function viaRawClient(accounts: number, jobs: number, ctx: BenchContext): Promise<Measured> {
  return withWorkers(['simulator', 'raw-client'], async ([sim, raw]) => {
    const discord = await sim!.call<{ apiUrl: string; gatewayUrl: string }>('start', SIMULATOR);
    const list = await sim!.call<{ token: string; channel: string }[]>('pikaAccounts', accounts);
    const run = { ...discord, accounts: list, concurrency: MAX_JOBS };
    await raw!.call('pika', { ...run, jobsPerAccount: Math.ceil(warmUpJobs(jobs) / accounts) }, 300_000); // warm-up
    await sim!.call('resetReport');
    ctx.log(`throughput: raw client, ${accounts} accounts, ${jobs} jobs`);
    const result = await raw!.call<{ started: number; finished: number; completed: number }>('pika', { ...run, jobsPerAccount: Math.ceil(jobs / accounts) }, 300_000);
    const report = await sim!.call<{ requests: Record<string, number> }>('report');
    return { rate: result.completed / ((result.finished - result.started) / 1000), completed: result.completed, restPerJob: sum(Object.values(report.requests)) / result.completed, refused: 0 };
  });
}

export const throughput: Benchmark = {
  name: 'throughput',
  async run(ctx: BenchContext): Promise<Table> {
    const sizes: [accounts: number, jobs: number][] = ctx.quick ? [[1, 100], [10, 300], [50, 500]] : [[1, 300], [10, 1000], [50, 1500]];
    const noPostgres = await postgresUnavailable();
    const kinds: StoreKind[] = noPostgres ? ['sqlite'] : ['sqlite', 'postgres'];
    const rows: Cell[][] = [];
    let best = 0;
    let bestRatio = 0;
    /** Issue 14: the worst ratio of each store over all sizes. */
    const worstRatio: Partial<Record<StoreKind, number>> = {};
    for (const [accounts, jobs] of sizes) {
      const ceiling = await viaRawClient(accounts, jobs, ctx);
      rows.push(['raw client (ceiling)', accounts, ceiling.completed, ceiling.rate, 1, ceiling.restPerJob, undefined, undefined]);
      for (const kind of kinds) {
        const m = await viaSwitchboard(kind, accounts, jobs, ctx);
        rows.push([`switchboard, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, accounts, m.completed, m.rate, m.rate / ceiling.rate, m.restPerJob, m.statementsPerJob, m.refused]);
        worstRatio[kind] = Math.min(worstRatio[kind] ?? Infinity, m.rate / ceiling.rate);
        if (kind === 'sqlite') {
          best = Math.max(best, m.rate);
          bestRatio = Math.max(bestRatio, m.rate / ceiling.rate);
        }
      }
    }
    return {
      title: '2. End-to-end throughput',
      setup: `Pika \`create\` jobs: ${SUBMITTERS} concurrent \`POST /v1/pika/create\` from the parent process until every job has completed; maxJobs ${MAX_JOBS} per account, SWITCHBOARD_QUEUE_LIMIT=10000 (jobs beyond the slots wait in the queue), bot latency 0. Budgets: simulator REST limits raised to 1,000,000/s per token and route (never reached), switchboard's own client pacing off (minIntervalMs 0, no 350 ms gap between interactions) — with the production pacing one account is capped at 1 interaction per 350 ms (≈ 2.9 jobs/s). The ceiling is the raw client with the same accounts and ${MAX_JOBS} generations in flight per account. Each side first runs as many jobs as it then measures (warm-up: V8 optimises the hot code in the first thousand or so jobs). jobs/s = completed jobs ÷ (last completion − first submission). SQL statements/job counts every statement switchboard sent to its store during the run (transaction BEGIN/COMMIT included) ÷ jobs.`,
      columns: ['client', 'accounts', 'jobs completed', 'jobs/s', 'ratio to ceiling', 'Discord REST calls/job', 'SQL statements/job', 'HTTP refused'],
      rows,
      notes: [
        verdict(`target ≥ ${TARGET_RATE} jobs/s on SQLite`, best >= TARGET_RATE, `best ${best.toFixed(0)} jobs/s`),
        verdict(`target ≥ ${TARGET_RATIO} of the ceiling on SQLite`, bestRatio >= TARGET_RATIO, `best ${bestRatio.toFixed(2)}`),
        ...kinds.map((kind) => verdict(`issue 14: ≥ ${ISSUE_14_RATIO} of the ceiling at every size, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, (worstRatio[kind] ?? 0) >= ISSUE_14_RATIO, `worst ${(worstRatio[kind] ?? 0).toFixed(2)}`)),
        ...(noPostgres ? [`PostgreSQL rows skipped: ${noPostgres}`] : []),
      ],
    };
  },
};
