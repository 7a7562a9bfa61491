/**
 * Benchmark 1 — HTTP overhead: `GET /v1/faceswap/account` (10 accounts: bearer-token lookup,
 * account rows, 10 token decryptions, rendering) against a bare route of the same framework
 * sending the same body. Each server runs in its own child process, autocannon in this one;
 * the two are measured in alternating rounds so that other load on the machine hits both alike.
 */
import autocannon from 'autocannon';
import type { Benchmark, BenchContext } from './support/context.ts';
import { percentile } from './support/stats.ts';
import { verdict, type Table } from './support/table.ts';
import { withWorkers, type Discord } from './support/workers.ts';

const ACCOUNTS = 10;
const CONNECTIONS = 10;
const TARGET_RATIO = 0.5;
const PATH = '/v1/faceswap/account';

interface Target {
  url: string;
  headers: Record<string, string>;
}

interface Rounds {
  requests: number;
  seconds: number;
  p50: number[];
  p99: number[];
}

async function round(target: Target, seconds: number, into: Rounds): Promise<void> {
  const r = await autocannon({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration: seconds });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${target.url}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
  into.requests += r.requests.total;
  into.seconds += r.duration;
  into.p50.push(r.latency.p50);
  into.p99.push(r.latency.p99);
}

const us = (n: number) => `${Math.round(n)} µs`;

const summary = (r: Rounds) => ({ total: r.requests, rps: r.requests / r.seconds, p50: percentile(r.p50, 50)!, p99: percentile(r.p99, 50)! });

export const httpOverhead: Benchmark = {
  name: 'http',
  async run(ctx: BenchContext): Promise<Table> {
    const rounds = ctx.quick ? 2 : 4;
    const seconds = ctx.quick ? 2 : 3;
    const measured = await withWorkers(['simulator', 'switchboard', 'bare-fastify'], async ([sim, sb, bare]) => {
      const discord = await sim!.call<Discord>('start', {});
      const server = await sb!.call<{ url: string; token: string }>('start', { kind: 'sqlite', ...discord });
      await sb!.call('addAccounts', { bot: 'faceswap', accounts: await sim!.call('faceswapAccounts', ACCOUNTS) });
      const switchboard: Target = { url: server.url + PATH, headers: { authorization: `Bearer ${server.token}` } };
      const body = await (await fetch(switchboard.url, { headers: switchboard.headers })).json();
      const baseline: Target = { url: (await bare!.call<{ url: string }>('start', { path: PATH, body })).url + PATH, headers: {} };
      for (const t of [baseline, switchboard]) await autocannon({ url: t.url, headers: t.headers, connections: CONNECTIONS, duration: 1 }); // warm-up
      const results = { baseline: { requests: 0, seconds: 0, p50: [], p99: [] } as Rounds, switchboard: { requests: 0, seconds: 0, p50: [], p99: [] } as Rounds };
      for (let i = 0; i < rounds; i++) {
        ctx.log(`http: round ${i + 1}/${rounds}`);
        await round(baseline, seconds, results.baseline);
        await round(switchboard, seconds, results.switchboard);
      }
      const breakdown = await sb!.call<Record<'tokenLookup' | 'accountQuery' | 'accountListing' | 'request', number>>('breakdown', { token: server.token, bot: 'faceswap', iterations: ctx.quick ? 1000 : 3000 });
      return { bodyBytes: JSON.stringify(body).length, baseline: summary(results.baseline), switchboard: summary(results.switchboard), breakdown };
    });
    const { baseline: bare, switchboard: sb } = measured;
    const ratio = sb.rps / bare.rps;
    const b = measured.breakdown;
    return {
      title: '1. HTTP overhead',
      setup: `GET ${PATH} with ${ACCOUNTS} faceswap accounts (SQLite, SWITCHBOARD_VERIFY_ACCOUNTS=0, LOG_LEVEL=silent) vs a bare Fastify route sending the same ${measured.bodyBytes}-byte body. Each server in its own child process, autocannon in the parent with ${CONNECTIONS} connections; ${rounds} alternating rounds of ${seconds} s each after a 1 s warm-up. req/s over all rounds; p50/p99 = median over the rounds.`,
      columns: ['server', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare'],
      rows: [
        ['bare Fastify route (baseline)', bare.total, bare.rps, bare.p50, bare.p99, 1],
        [`switchboard ${PATH}`, sb.total, sb.rps, sb.p50, sb.p99, ratio],
      ],
      notes: [
        verdict(`target ≥ ${TARGET_RATIO} of the bare route`, ratio >= TARGET_RATIO, `${ratio.toFixed(2)}`),
        `where a switchboard request's time goes (in-process, µs per call): token lookup ${us(b.tokenLookup)}, account query ${us(b.accountQuery)}, account listing incl. the query, 10 decryptions and rendering ${us(b.accountListing)}, whole request through Fastify without a socket ${us(b.request)}; the bare route's whole request over a socket costs ${us(1e6 / bare.rps)} of wall time per request at this concurrency`,
      ],
    };
  },
};
