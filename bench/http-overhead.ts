/**
 * Benchmark 1 — HTTP overhead: `GET /v1/faceswap/account` (10 accounts: bearer-token lookup,
 * account rows, 10 token decryptions, rendering) and `GET /v1/pika/jobs/?jobid=` (what clients
 * poll: bearer-token lookup, one job row, rendering), each against a bare route of the same
 * framework sending the same body. Each server runs in its own child process, autocannon in this
 * one; all four are measured in alternating rounds so that other load on the machine hits them alike.
 */
import autocannon from 'autocannon';
import type { Benchmark, BenchContext } from './support/context.ts';
import { percentile } from './support/stats.ts';
import { verdict, type Table } from './support/table.ts';
import { drained, postPikaJob, withWorkers, type Discord } from './support/workers.ts';

const ACCOUNTS = 10;
const CONNECTIONS = 10;
const TARGET_RATIO = 0.5;
const PATH = '/v1/faceswap/account';
const JOB_PATH = '/v1/pika/jobs/';

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
      const discord = await sim!.call<Discord>('start', { botLatencyMs: 0 });
      const server = await sb!.call<{ url: string; token: string }>('start', { kind: 'sqlite', ...discord });
      // One completed Pika job to poll, as a client polls it (its account is the first, so the only one connected here).
      await sb!.call('addAccounts', { bot: 'pika', accounts: await sim!.call('pikaAccounts', 1), maxJobs: 1 });
      await sb!.call('connectAll', 1);
      await sb!.call('addAccounts', { bot: 'faceswap', accounts: await sim!.call('faceswapAccounts', ACCOUNTS) });
      const { jobid } = await postPikaJob(server, 'poll-target');
      if (!jobid) throw new Error('the Pika job to poll was not accepted');
      await drained(sb!, 60_000);
      const auth = { authorization: `Bearer ${server.token}` };
      const accounts: Target = { url: server.url + PATH, headers: auth };
      const job: Target = { url: `${server.url}${JOB_PATH}?jobid=${encodeURIComponent(jobid)}`, headers: auth };
      const accountsBody = await (await fetch(accounts.url, { headers: auth })).json();
      const jobBody = (await (await fetch(job.url, { headers: auth })).json()) as { status?: string };
      if (jobBody.status !== 'completed') throw new Error(`the Pika job to poll ended ${jobBody.status}`);
      const bareUrl = (await bare!.call<{ url: string }>('start', { routes: [{ path: PATH, body: accountsBody }, { path: JOB_PATH, body: jobBody }] })).url;
      const targets = {
        bareAccounts: { url: bareUrl + PATH, headers: {} } as Target,
        accounts,
        bareJob: { url: `${bareUrl}${JOB_PATH}?jobid=${encodeURIComponent(jobid)}`, headers: {} } as Target,
        job,
      };
      for (const t of Object.values(targets)) await autocannon({ url: t.url, headers: t.headers, connections: CONNECTIONS, duration: 1 }); // warm-up
      const fresh = (): Rounds => ({ requests: 0, seconds: 0, p50: [], p99: [] });
      const results = { bareAccounts: fresh(), accounts: fresh(), bareJob: fresh(), job: fresh() };
      for (let i = 0; i < rounds; i++) {
        ctx.log(`http: round ${i + 1}/${rounds}`);
        for (const key of Object.keys(targets) as (keyof typeof targets)[]) await round(targets[key], seconds, results[key]);
      }
      const breakdown = await sb!.call<Record<'tokenLookup' | 'accountQuery' | 'accountListing' | 'request', number>>('breakdown', { token: server.token, bot: 'faceswap', iterations: ctx.quick ? 1000 : 3000 });
      return {
        bodyBytes: JSON.stringify(accountsBody).length,
        jobBodyBytes: JSON.stringify(jobBody).length,
        bareAccounts: summary(results.bareAccounts),
        accounts: summary(results.accounts),
        bareJob: summary(results.bareJob),
        job: summary(results.job),
        breakdown,
      };
    });
    const { bareAccounts: bare, accounts: sb, bareJob, job } = measured;
    const ratio = sb.rps / bare.rps;
    const jobRatio = job.rps / bareJob.rps;
    const b = measured.breakdown;
    return {
      title: '1. HTTP overhead',
      setup: `GET ${PATH} with ${ACCOUNTS} faceswap accounts, and GET ${JOB_PATH}?jobid= for one completed Pika job (what clients poll), each next to a bare Fastify route sending the same body (${measured.bodyBytes} resp. ${measured.jobBodyBytes} bytes); switchboard on SQLite, SWITCHBOARD_VERIFY_ACCOUNTS=0, LOG_LEVEL=silent. Each server in its own child process, autocannon in the parent with ${CONNECTIONS} connections; ${rounds} alternating rounds of ${seconds} s each after a 1 s warm-up. req/s over all rounds; p50/p99 = median over the rounds.`,
      columns: ['server', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare'],
      rows: [
        ['bare Fastify route, account body (baseline)', bare.total, bare.rps, bare.p50, bare.p99, 1],
        [`switchboard ${PATH}`, sb.total, sb.rps, sb.p50, sb.p99, ratio],
        ['bare Fastify route, job body (baseline)', bareJob.total, bareJob.rps, bareJob.p50, bareJob.p99, 1],
        [`switchboard ${JOB_PATH}?jobid=`, job.total, job.rps, job.p50, job.p99, jobRatio],
      ],
      notes: [
        verdict(`target ≥ ${TARGET_RATIO} of the bare route (${PATH})`, ratio >= TARGET_RATIO, `${ratio.toFixed(2)}`),
        `${JOB_PATH}?jobid= (no target of its own): ${jobRatio.toFixed(2)} of its bare route`,
        `where a switchboard request's time goes (in-process, µs per call): token lookup ${us(b.tokenLookup)}, account query ${us(b.accountQuery)}, account listing incl. the query, 10 decryptions and rendering ${us(b.accountListing)}, whole request through Fastify without a socket ${us(b.request)}; the bare route's whole request over a socket costs ${us(1e6 / bare.rps)} of wall time per request at this concurrency`,
      ],
    };
  },
};
