/**
 * Benchmark 3 — added latency: from the moment switchboard's HTTP server has a `POST
 * /v1/pika/create` request (Node's 'request' event) to the moment the simulator accepts the
 * interaction it causes (the simulator's `receivedAt`), at a steady arrival rate. Baseline: the
 * raw client's own send → `receivedAt` at the same rate (the Discord REST call alone).
 */
import type { Benchmark, BenchContext } from './support/context.ts';
import type { Worker } from './support/rpc.ts';
import { percentile, sleep, wallClock } from './support/stats.ts';
import { verdict, type Cell, type Table } from './support/table.ts';
import { drained, postPikaJob, startSwitchboard, withWorkers, type Discord, type JobRow } from './support/workers.ts';
import { SIMULATOR } from './throughput.ts';

const ACCOUNTS = 10;
const MAX_JOBS = 10;
const TARGET_P99_MS = 20;

interface SimReport {
  interactions: { nonce: string | null; receivedAt: number }[];
}

/** Simulator acceptance time by nonce. */
async function receivedAt(sim: Worker): Promise<Map<string, number>> {
  const report = await sim.call<SimReport>('report');
  return new Map(report.interactions.flatMap((i) => (i.nonce ? [[i.nonce, i.receivedAt] as const] : [])));
}

async function viaSwitchboard(rate: number, seconds: number, ctx: BenchContext) {
  return withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
    const discord = await sim!.call<Discord>('start', SIMULATOR);
    const server = await startSwitchboard(sb!, discord, 'sqlite', { pacing: 'none' });
    await sb!.call('addAccounts', { bot: 'pika', accounts: await sim!.call('pikaAccounts', ACCOUNTS), maxJobs: MAX_JOBS });
    await sb!.call('connectAll');
    for (let i = 0; i < 20; i++) await postPikaJob(server, `warm-${i}`);
    await drained(sb!, 60_000);
    ctx.log(`latency: switchboard at ${rate} jobs/s for ${seconds}s`);
    const count = rate * seconds;
    const started = wallClock();
    const answers: Promise<{ id: string; code: number; jobid: string | undefined }>[] = [];
    for (let i = 0; i < count; i++) {
      await sleep(Math.max(0, started + (i * 1000) / rate - wallClock()));
      const id = `lat-${i}`;
      answers.push(postPikaJob(server, id).then((r) => ({ id, ...r })));
    }
    const done = await Promise.all(answers);
    await drained(sb!, 120_000);
    const arrivals = await sb!.call<Record<string, number>>('arrivals');
    const nonces = new Map((await sb!.call<JobRow[]>('jobs')).map((j) => [j.jobid, j.nonce]));
    const accepted = await receivedAt(sim!);
    const samples = done.flatMap((d) => {
      const nonce = d.jobid ? nonces.get(d.jobid) : undefined;
      const at = nonce ? accepted.get(nonce) : undefined;
      const arrived = arrivals[d.id];
      return at !== undefined && arrived !== undefined ? [at - arrived] : [];
    });
    return { samples, refused: done.filter((d) => d.code !== 200).length };
  });
}

async function viaRawClient(rate: number, seconds: number, ctx: BenchContext) {
  return withWorkers(['simulator', 'raw-client'], async ([sim, raw]) => {
    const discord = await sim!.call<Discord>('start', SIMULATOR);
    const accounts = await sim!.call('pikaAccounts', ACCOUNTS);
    const run = { ...discord, accounts, concurrency: MAX_JOBS };
    await raw!.call('pika', { ...run, jobsPerAccount: 2 });
    ctx.log(`latency: raw client at ${rate} jobs/s for ${seconds}s`);
    const result = await raw!.call<{ sent: Record<string, number> }>('pika', { ...run, jobsPerAccount: (rate * seconds) / ACCOUNTS, intervalMs: (1000 * ACCOUNTS) / rate }, 120_000);
    const accepted = await receivedAt(sim!);
    return Object.entries(result.sent).flatMap(([nonce, sent]) => (accepted.has(nonce) ? [accepted.get(nonce)! - sent] : []));
  });
}

export const latency: Benchmark = {
  name: 'latency',
  async run(ctx: BenchContext): Promise<Table> {
    const seconds = ctx.quick ? 5 : 10;
    const rates = [10, 40];
    const rows: Cell[][] = [];
    let worstP99 = 0;
    for (const rate of rates) {
      const base = await viaRawClient(rate, seconds, ctx);
      rows.push(['raw client: send → simulator (baseline)', rate, base.length, percentile(base, 50), percentile(base, 99), Math.max(...base), 0]);
      const m = await viaSwitchboard(rate, seconds, ctx);
      const p99 = percentile(m.samples, 99) ?? Infinity;
      worstP99 = Math.max(worstP99, p99);
      rows.push(['switchboard: HTTP request → simulator', rate, m.samples.length, percentile(m.samples, 50), p99, Math.max(...m.samples), m.refused]);
    }
    return {
      title: '3. Added latency',
      setup: `\`POST /v1/pika/create\` at a steady rate for ${seconds} s (open loop: requests start on schedule whether or not earlier ones have answered), ${ACCOUNTS} accounts × maxJobs ${MAX_JOBS}, SQLite, no queue, bot latency 0, client pacing off (as in table 2). Latency is measured from Node's 'request' event in switchboard's process to the simulator's acceptance of the interaction (its \`receivedAt\`, 1 ms resolution; both on this machine's clock).`,
      columns: ['path', 'jobs/s offered', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'HTTP refused'],
      rows,
      notes: [verdict(`target p99 ≤ ${TARGET_P99_MS} ms`, worstP99 <= TARGET_P99_MS, `worst p99 ${worstP99.toFixed(1)} ms`)],
    };
  },
};
