/**
 * Benchmark 4 — slot utilisation: with queueing on and ten times more jobs than slots, how much
 * of the time each account slot holds a running job. A slot is busy from the job's start (sent
 * to Discord) to its end (result stored). Baseline: the raw client feeding the same slots from
 * perfectly balanced per-account queues.
 */
import type { Benchmark, BenchContext } from './support/context.ts';
import { sum } from './support/stats.ts';
import { verdict, type Cell, type Table } from './support/table.ts';
import { drained, startSwitchboard, submitPikaJobs, UNLIMITED_REST, withWorkers, type Discord, type JobRow } from './support/workers.ts';

const ACCOUNTS = 5;
const MAX_JOBS = 2;
const SLOTS = ACCOUNTS * MAX_JOBS;
const BOT_LATENCY_MS = 200;
const TARGET = 0.95;

const SIMULATOR = { botLatencyMs: BOT_LATENCY_MS, rateLimit: UNLIMITED_REST, pikaConcurrency: MAX_JOBS, interactionTimeoutMs: 60_000 };

interface Busy {
  account: string;
  start: number;
  end: number;
}

/**
 * `perAccount`: busy time over the slots × time during which each account had work (first start
 * to last end on that account) — how well freed slots are refilled. `overall`: over all slots for
 * the whole run — also charges uneven queues (an account idle while another still has a backlog).
 */
function utilisation(jobs: Busy[]): { perAccount: number; overall: number; makespanMs: number; meanJobMs: number } {
  const byAccount = new Map<string, Busy[]>();
  for (const j of jobs) byAccount.set(j.account, [...(byAccount.get(j.account) ?? []), j]);
  const busy = sum(jobs.map((j) => j.end - j.start));
  const accountWindows = sum([...byAccount.values()].map((js) => Math.max(...js.map((j) => j.end)) - Math.min(...js.map((j) => j.start))));
  const makespanMs = Math.max(...jobs.map((j) => j.end)) - Math.min(...jobs.map((j) => j.start));
  return { perAccount: busy / (MAX_JOBS * accountWindows), overall: busy / (SLOTS * makespanMs), makespanMs, meanJobMs: busy / jobs.length };
}

async function viaSwitchboard(jobs: number, pacing: 'default' | 'none', ctx: BenchContext) {
  return withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
    const discord = await sim!.call<Discord>('start', SIMULATOR);
    const server = await startSwitchboard(sb!, discord, 'sqlite', { env: { SWITCHBOARD_QUEUE_LIMIT: String(jobs) }, pacing });
    await sb!.call('addAccounts', { bot: 'pika', accounts: await sim!.call('pikaAccounts', ACCOUNTS), maxJobs: MAX_JOBS });
    await sb!.call('connectAll');
    ctx.log(`utilisation: switchboard (pacing ${pacing}), ${jobs} jobs on ${SLOTS} slots`);
    const ids = Array.from({ length: jobs }, (_, i) => `util-${i}`);
    const { status } = await submitPikaJobs(server, ids, 16);
    await drained(sb!, 300_000);
    const rows = (await sb!.call<JobRow[]>('jobs')).filter((j) => j.status === 'completed');
    return { ...utilisation(rows.map((j) => ({ account: j.accountId!, start: j.startedAt!, end: j.finishedAt! }))), completed: rows.length, refused: jobs - (status[200] ?? 0) };
  });
}

async function viaRawClient(jobs: number, ctx: BenchContext) {
  return withWorkers(['simulator', 'raw-client'], async ([sim, raw]) => {
    const discord = await sim!.call<Discord>('start', SIMULATOR);
    const accounts = await sim!.call<{ token: string; channel: string }[]>('pikaAccounts', ACCOUNTS);
    ctx.log(`utilisation: raw client, ${jobs} jobs on ${SLOTS} slots`);
    const result = await raw!.call<{ sent: Record<string, number>; finishedAt: Record<string, number> }>('pika', { ...discord, accounts, concurrency: MAX_JOBS, jobsPerAccount: jobs / ACCOUNTS }, 300_000);
    // The raw client has no account ids per job; the balanced queues make the whole-run figure the per-account one.
    const busy = Object.entries(result.sent).map(([nonce, start]) => ({ account: 'all', start, end: result.finishedAt[nonce]! }));
    const u = utilisation(busy);
    return { ...u, perAccount: u.overall, completed: busy.length, refused: 0 };
  });
}

export const slotUtilisation: Benchmark = {
  name: 'utilisation',
  async run(ctx: BenchContext): Promise<Table> {
    const jobs = SLOTS * (ctx.quick ? 5 : 10);
    const base = await viaRawClient(jobs, ctx);
    const paced = await viaSwitchboard(jobs, 'default', ctx);
    const unpaced = await viaSwitchboard(jobs, 'none', ctx);
    const row = (name: string, m: typeof base): Cell[] => [name, m.completed, m.meanJobMs, m.makespanMs / 1000, m.perAccount * 100, m.overall * 100, m.refused];
    return {
      title: '4. Slot utilisation',
      setup: `${jobs} Pika jobs submitted at once (16 concurrent requests) to ${ACCOUNTS} accounts × maxJobs ${MAX_JOBS} = ${SLOTS} slots, SWITCHBOARD_QUEUE_LIMIT=${jobs}, SQLite, bot latency ${BOT_LATENCY_MS} ms per step (a job ≈ 5 steps). "busy while its account had work" = Σ(job end − job start) ÷ (maxJobs × Σ per-account [first start, last end]); "whole run" divides by all slots × the whole makespan, so it also counts accounts left idle by uneven queues.`,
      columns: ['client', 'jobs completed', 'mean job ms', 'makespan s', 'busy while its account had work %', 'busy over the whole run %', 'HTTP refused'],
      rows: [row('raw client, balanced queues (baseline)', base), row('switchboard, production pacing', paced), row('switchboard, pacing off', unpaced)],
      notes: [verdict(`target ≥ ${TARGET * 100}% busy`, paced.perAccount >= TARGET, `${(paced.perAccount * 100).toFixed(1)}% with production pacing, ${(unpaced.perAccount * 100).toFixed(1)}% without`)],
    };
  },
};
