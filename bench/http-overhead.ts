/**
 * Benchmark 1 — HTTP overhead: `GET /v1/faceswap/account` (10 accounts: bearer-token lookup,
 * account rows, 10 token decryptions, rendering) against a bare route of the same framework
 * sending the same body, each server alone in its own process, autocannon in this one.
 */
import autocannon from 'autocannon';
import type { Benchmark, BenchContext } from './support/context.ts';
import { withWorkers } from './support/workers.ts';
import { verdict, type Table } from './support/table.ts';

const ACCOUNTS = 10;
const CONNECTIONS = 10;
const TARGET_RATIO = 0.5;

async function load(url: string, headers: Record<string, string>, seconds: number) {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 }); // warm-up (JIT, caches)
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
  return { rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total };
}

export const httpOverhead: Benchmark = {
  name: 'http',
  async run(ctx: BenchContext): Promise<Table> {
    const seconds = ctx.quick ? 3 : 8;
    const path = '/v1/faceswap/account';
    const measured = await withWorkers(['simulator', 'switchboard'], async ([sim, sb]) => {
      const discord = await sim!.call<{ apiUrl: string; gatewayUrl: string }>('start', {});
      const server = await sb!.call<{ url: string; token: string }>('start', { kind: 'sqlite', ...discord });
      await sb!.call('addAccounts', { bot: 'faceswap', accounts: await sim!.call('faceswapAccounts', ACCOUNTS) });
      const headers = { authorization: `Bearer ${server.token}` };
      const body = await (await fetch(server.url + path, { headers })).json();
      ctx.log(`http: switchboard ${path} for ${seconds}s`);
      const switchboard = await load(server.url + path, headers, seconds);
      return { body, switchboard };
    });
    const bare = await withWorkers(['bare-fastify'], async ([w]) => {
      const { url } = await w!.call<{ url: string }>('start', { path, body: measured.body });
      ctx.log(`http: bare route for ${seconds}s`);
      return load(url + path, {}, seconds);
    });
    const sb = measured.switchboard;
    const ratio = sb.rps / bare.rps;
    return {
      title: '1. HTTP overhead',
      setup: `GET ${path} with ${ACCOUNTS} accounts (SQLite, SWITCHBOARD_VERIFY_ACCOUNTS=0, LOG_LEVEL=silent) vs a bare Fastify route sending the same ${JSON.stringify(measured.body).length}-byte body; each server alone in a child process, autocannon in the parent, ${CONNECTIONS} connections, ${seconds} s after a 1 s warm-up.`,
      columns: ['server', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare'],
      rows: [
        ['bare Fastify route (baseline)', bare.total, bare.rps, bare.p50, bare.p99, 1],
        [`switchboard ${path}`, sb.total, sb.rps, sb.p50, sb.p99, ratio],
      ],
      notes: [verdict(`target ≥ ${TARGET_RATIO} of the bare route`, ratio >= TARGET_RATIO, `${ratio.toFixed(2)}`)],
    };
  },
};
