/**
 * Benchmark 2b — end-to-end throughput of Midjourney imagine: jobs submitted over HTTP
 * (`POST /v2/jobs/imagine`) until every one has completed, with N accounts (maxJobs 10 each, the
 * simulated bot's concurrency 10, bot latency 0), on SQLite and on PostgreSQL. A Midjourney job is
 * heavier than a Pika one on both sides: the bot posts a start message, four progress edits with a
 * preview each, a new result message with a 2×2 grid it draws, and deletes the progress message.
 * There is no raw-client ceiling for this bot; table 2's ceiling bounds what Discord calls cost.
 */
import type { Benchmark, BenchContext } from './support/context.ts';
import { postgresUnavailable, type StoreKind } from './support/databases.ts';
import type { Cell, Table } from './support/table.ts';
import { completedRun, drained, startSwitchboard, submitMidjourneyJobs, UNLIMITED_REST, withWorkers } from './support/workers.ts';

const MAX_JOBS = 10;
const SUBMITTERS = 32;
const SIMULATOR = { botLatencyMs: 0, rateLimit: UNLIMITED_REST, midjourneyConcurrency: MAX_JOBS, interactionTimeoutMs: 60_000 };

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

async function viaSwitchboard(kind: StoreKind, accounts: number, jobs: number, ctx: BenchContext) {
  return withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
    const discord = await sim!.call<{ apiUrl: string; gatewayUrl: string }>('start', SIMULATOR);
    const server = await startSwitchboard(sb!, discord, kind, { env: { SWITCHBOARD_QUEUE_LIMIT: '10000' }, pacing: 'none' });
    await sb!.call('addAccounts', { bot: 'midjourney', accounts: await sim!.call('midjourneyAccounts', accounts), maxJobs: MAX_JOBS });
    await sb!.call('connectAll');
    // As table 2: as many jobs as measured first, so the table shows the steady state, not V8 still optimising.
    await submitMidjourneyJobs(server, ids('warm', jobs), SUBMITTERS);
    await drained(sb!, 120_000);
    await sim!.call('resetReport');
    const statementsBefore = await sb!.call<number>('statements');
    ctx.log(`throughput-midjourney: switchboard ${kind}, ${accounts} accounts, ${jobs} jobs`);
    const submitted = await submitMidjourneyJobs(server, ids('job', jobs), SUBMITTERS);
    await drained(sb!, 600_000);
    const statements = (await sb!.call<number>('statements')) - statementsBefore;
    return { ...(await completedRun(sb!, sim!, submitted, jobs)), statementsPerJob: statements / jobs };
  });
}

export const midjourneyThroughput: Benchmark = {
  name: 'throughput-midjourney',
  async run(ctx: BenchContext): Promise<Table> {
    const sizes: [accounts: number, jobs: number][] = ctx.quick ? [[1, 50], [10, 200]] : [[1, 200], [10, 600], [50, 1000]];
    const noPostgres = await postgresUnavailable();
    const kinds: StoreKind[] = noPostgres ? ['sqlite'] : ['sqlite', 'postgres'];
    const rows: Cell[][] = [];
    for (const [accounts, jobs] of sizes) {
      for (const kind of kinds) {
        const m = await viaSwitchboard(kind, accounts, jobs, ctx);
        rows.push([`switchboard, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, accounts, m.completed, m.rate, m.restPerJob, m.statementsPerJob, m.refused]);
      }
    }
    return {
      title: '2b. End-to-end throughput, Midjourney imagine',
      setup: `Midjourney \`imagine\` jobs: ${SUBMITTERS} concurrent \`POST /v2/jobs/imagine\` until every job has completed; maxJobs ${MAX_JOBS} per account and the simulated bot running ${MAX_JOBS} at once per user, SWITCHBOARD_QUEUE_LIMIT=10000, bot latency 0, switchboard's client pacing off, simulator REST limits raised (as table 2). Each job is a start message, four progress edits (with a preview PNG), a new result message with a 256×256 grid PNG and the progress message's deletion — all drawn and sent by the simulator process on the same machine. Each run first completes as many jobs as it then measures (warm-up). jobs/s = completed ÷ (last completion − first submission).`,
      columns: ['client', 'accounts', 'jobs completed', 'jobs/s', 'Discord REST calls/job', 'SQL statements/job', 'HTTP refused'],
      rows,
      notes: [...(noPostgres ? [`PostgreSQL rows skipped: ${noPostgres}`] : [])],
    };
  },
};
