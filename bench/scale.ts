/**
 * Benchmark 5 — scale: one switchboard process holding 1,000 live Gateway sessions (one account
 * client each) with only heartbeat traffic. Memory is measured after a full GC before and after
 * the sessions connect; CPU over an idle window. Baseline: the raw client holding the same number
 * of bare WebSocket sessions (IDENTIFY + heartbeats only) in its own process.
 */
import type { Benchmark, BenchContext } from './support/context.ts';
import type { Worker } from './support/rpc.ts';
import { sleep, until } from './support/stats.ts';
import { verdict, type Table } from './support/table.ts';
import { startSwitchboard, withWorkers, type Discord } from './support/workers.ts';

const TARGET_KB = 300;
/** Shorter than Discord's 41.25 s, so the idle window sees several heartbeats per session. */
const HEARTBEAT_MS = 5000;

interface Usage {
  rss: number;
  heapUsed: number;
  external: number;
  cpu: { user: number; system: number };
  loopDelayMaxMs: number;
}

interface Heartbeats {
  sockets: number;
  beats: number;
  p99LateMs: number;
  maxLateMs: number;
  lateBeats: number;
}

interface Measured {
  sessions: number;
  rssKb: number;
  heapKb: number;
  cpuPercent: number;
  beats: Heartbeats;
  loopDelayMaxMs: number;
  ready: number;
}

/** Share of the sessions opened first, so that one-time costs (code, JIT, first buffers) fall outside the measured slope. */
const WARM_SHARE = 0.1;

/**
 * Opens `WARM_SHARE` of the sessions, measures, opens the rest, measures again and watches an idle
 * window: memory per session is the slope between the two measurements.
 */
async function measure(worker: Worker, sessions: number, windowMs: number, connect: (count: number) => Promise<unknown>, ready: () => Promise<number>): Promise<Measured> {
  const warm = Math.round(sessions * WARM_SHARE);
  await connect(warm);
  await sleep(500);
  const before = await worker.call<Usage>('usage');
  await connect(sessions);
  await sleep(1000); // let READY bursts and first heartbeats settle
  await worker.call('resetHeartbeats');
  await worker.call('startLoopMonitor');
  const start = await worker.call<Usage>('usage');
  await sleep(windowMs);
  const end = await worker.call<Usage>('usage');
  const cpuMs = (end.cpu.user + end.cpu.system - start.cpu.user - start.cpu.system) / 1000;
  return {
    sessions,
    rssKb: (end.rss - before.rss) / 1024 / (sessions - warm),
    heapKb: (end.heapUsed + end.external - before.heapUsed - before.external) / 1024 / (sessions - warm),
    cpuPercent: (100 * cpuMs) / windowMs,
    beats: await worker.call<Heartbeats>('heartbeats', HEARTBEAT_MS),
    loopDelayMaxMs: end.loopDelayMaxMs,
    ready: await ready(),
  };
}

export const scale: Benchmark = {
  name: 'scale',
  async run(ctx: BenchContext): Promise<Table> {
    const sessions = ctx.quick ? 300 : 1000;
    const windowMs = ctx.quick ? 12_000 : 30_000;
    const simulator = { heartbeatIntervalMs: HEARTBEAT_MS };
    const gc = ['--expose-gc'];
    const raw = await withWorkers(['simulator', 'raw-client'], async ([sim, client]) => {
      const discord = await sim!.call<Discord>('start', simulator);
      const tokens = (await sim!.call<{ token: string }[]>('pikaAccounts', sessions)).map((a) => a.token);
      ctx.log(`scale: raw client holding ${sessions} sessions for ${windowMs / 1000}s`);
      let held = 0;
      const hold = async (count: number) => {
        await client!.call('hold', { gatewayUrl: discord.gatewayUrl, tokens: tokens.slice(held, count) }, 300_000);
        held = count;
      };
      return measure(client!, sessions, windowMs, hold, async () => held);
    }, gc);
    const sb = await withWorkers(['simulator', 'switchboard'], async ([sim, worker]) => {
      const discord = await sim!.call<Discord>('start', simulator);
      await startSwitchboard(worker!, discord, 'sqlite');
      const accounts = await sim!.call<{ token: string; channel: string }[]>('pikaAccounts', sessions);
      ctx.log(`scale: switchboard holding ${sessions} sessions for ${windowMs / 1000}s`);
      let added = 0;
      // Accounts are added as the API would add them; the pool opens their sessions (on lease or first use).
      const connect = async (count: number) => {
        await worker!.call('addAccounts', { bot: 'pika', accounts: accounts.slice(added, count), maxJobs: 1 }, 600_000);
        added = count;
        await worker!.call('connectAll', count, 300_000);
        await until('every session READY', async () => ((await worker!.call<number>('readySessions', count)) === count ? true : undefined), 60_000, 200);
      };
      return measure(worker!, sessions, windowMs, connect, () => worker!.call<number>('readySessions'));
    }, gc);
    const row = (name: string, m: Measured) => [name, m.sessions, m.ready, m.rssKb, m.heapKb, m.cpuPercent, m.beats.beats, m.beats.p99LateMs, m.beats.maxLateMs, m.beats.lateBeats, m.loopDelayMaxMs];
    return {
      title: '5. Scale: idle Gateway sessions in one process',
      setup: `${sessions} accounts, each with a live Gateway session to the simulator (in its own process), heartbeat_interval ${HEARTBEAT_MS} ms (Discord's is 41,250 ms, so this is ~8× Discord's idle traffic), idle window ${windowMs / 1000} s. Memory per session = slope between ${WARM_SHARE * 100}% and 100% of the sessions READY (RSS, resp. V8 heap + external, each after a full GC) — one-time costs such as loaded code stay out. For switchboard the slope includes everything an account costs: its row, its client (REST, Gateway, command cache) and health tracking. CPU = process CPU time ÷ window (100% = one core). A heartbeat's lateness = its gap to the previous one of the same socket − the interval; "late" = more than a tenth of the interval.`,
      columns: ['process', 'sessions', 'READY at the end', 'RSS KB/session', 'heap+external KB/session', 'CPU % (idle)', 'heartbeats', 'p99 late ms', 'max late ms', 'late heartbeats', 'max event-loop delay ms'],
      rows: [row('raw client, bare sockets (baseline)', raw), row('switchboard (account clients)', sb)],
      notes: [verdict(`target ≤ ${TARGET_KB} KB per session and no late heartbeat`, sb.rssKb <= TARGET_KB && sb.beats.lateBeats === 0 && sb.ready === sessions, `${sb.rssKb.toFixed(0)} KB RSS per session, ${sb.beats.lateBeats} late heartbeats, ${sb.ready}/${sessions} sessions READY`)],
    };
  },
};
