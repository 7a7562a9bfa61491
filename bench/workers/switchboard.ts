/**
 * Worker: one real switchboard (store, runner, account pool, HTTP server) in its own process, as
 * `switchboard serve` would run it, pointed at the simulator worker. Besides starting it, the
 * worker answers what the benchmarks read from inside: job rows, request arrival times, process
 * usage, heartbeat timing.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { authenticateApiToken, issueApiToken } from '../../src/auth/index.ts';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { defaultClientProperties, type GatewaySocket } from '../../src/discord/index.ts';
import { buildApp } from '../../src/http/index.ts';
import type { FastifyInstance } from 'fastify';
import { freshDatabase, type BenchDatabase, type StoreKind } from '../support/databases.ts';
import { serveWorker } from '../support/rpc.ts';
import { settleMemory } from '../support/memory.ts';
import { wallClock } from '../support/stats.ts';
import { HeartbeatClock } from '../support/heartbeats.ts';
import { countStatements, discountStatements, statementHistogram, statementsSoFar } from '../support/statement-counter.ts';

countStatements();

export interface StartOptions {
  kind: StoreKind;
  apiUrl: string;
  gatewayUrl: string;
  /** Extra environment, e.g. SWITCHBOARD_QUEUE_LIMIT. */
  env?: Record<string, string>;
  /** `none` removes the client's own REST pacing (100 ms per request, 350 ms per interaction). */
  pacing?: 'default' | 'none';
}

let running: { services: Services; app: FastifyInstance; database: BenchDatabase; tenantId: string } | undefined;
const arrivals = new Map<string, number>();
const heartbeats = new HeartbeatClock();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let profiler: Session | undefined;

const current = () => {
  if (!running) throw new Error('switchboard not started');
  return running;
};

/** The production socket plus a stopwatch on outgoing heartbeats (op 1). */
function timedSocket(url: string): GatewaySocket {
  const socket = new WebSocket(url, { headers: { 'User-Agent': defaultClientProperties.browser_user_agent } });
  const send = socket.send.bind(socket);
  const beat = heartbeats.track();
  socket.send = ((data: string) => {
    if (data.startsWith('{"op":1,')) beat();
    send(data);
  }) as typeof socket.send;
  return socket as unknown as GatewaySocket;
}

serveWorker({
  async start(options: StartOptions) {
    const database = await freshDatabase(options.kind);
    const config = loadConfig({
      ...database.env,
      SWITCHBOARD_SECRET: 'benchmark-secret-value-123',
      DISCORD_API_URL: options.apiUrl,
      DISCORD_GATEWAY_URL: options.gatewayUrl,
      SWITCHBOARD_VERIFY_ACCOUNTS: '0',
      LOG_LEVEL: 'silent',
      // Benchmarks measure capacity, not the per-tenant limits (issue 15).
      SWITCHBOARD_RATE_LIMIT: '0',
      SWITCHBOARD_DISCORD_RATE_LIMIT: '0',
      SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT: '1000000',
      SWITCHBOARD_MAX_ACCOUNTS_PER_TENANT: '1000000',
      ...options.env,
    });
    const rest = options.pacing === 'none' ? { rest: { minIntervalMs: 0, routeIntervalsMs: {} } } : {};
    const services = await openServices(config, {
      ...(database.schema ? { store: { schema: database.schema } } : {}),
      client: { ...rest, gateway: { createSocket: timedSocket } },
    });
    const app = await buildApp(services);
    // The moment Node has parsed a request's head: "the HTTP request arriving".
    app.server.prependListener('request', (request) => {
      const id = request.headers['x-request-id'];
      if (typeof id === 'string') arrivals.set(id, wallClock());
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await services.start();
    const { token, tenant } = await issueApiToken(services.store, 'bench');
    running = { services, app, database, tenantId: tenant.id };
    const address = app.server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, token };
  },

  /** Configures accounts as the API would (POST /v1/<bot>/account/<channel>), without the HTTP round trip. */
  async addAccounts(params: { bot: string; accounts: { token: string; channel: string; server?: string }[]; maxJobs?: number }) {
    const { services, tenantId } = current();
    const provider = services.providers.require(params.bot);
    for (const a of params.accounts) {
      await services.accounts.save(tenantId, provider, a.channel, { discord: a.token, channel: a.channel, ...(a.server ? { server: a.server } : {}), ...(params.maxJobs ? { maxJobs: params.maxJobs } : {}) });
    }
  },

  /** Opens the clients (Gateway sessions) of the first `count` accounts, or all; resolves when they are READY. */
  async connectAll(count?: number) {
    const { services } = current();
    const accounts = (await services.store.accounts.listAll()).slice(0, count);
    await Promise.all(accounts.map((a) => services.pool.client(a).start()));
    return accounts.length;
  },

  /** Every job of the benchmark tenant with its timestamps and the nonce it was sent with. */
  async jobs() {
    const { services, tenantId } = current();
    const jobs = await services.store.jobs.listRecent({ tenantId, limit: 1_000_000 });
    return jobs.map((j) => ({
      jobid: j.jobid,
      status: j.status,
      accountId: j.accountId,
      createdAt: j.createdAt,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      nonce: (j.runnerState.nonce as string | undefined) ?? null,
    }));
  },

  async activeJobs() {
    const { services } = current();
    // One aggregate, not the ids: with hundreds of jobs queued, listing them on every poll cost
    // switchboard's process more than the jobs' own statements did.
    const active = (await services.store.jobs.countActive()).reduce((n, row) => n + row.count, 0);
    discountStatements(1); // the benchmark's own polling is not the jobs' cost
    return active;
  },

  arrivals: () => Object.fromEntries(arrivals),
  /** SQL statements sent to the store since the worker started. */
  statements: () => statementsSoFar(),
  /** Executions by SQL text, with `BENCH_STATEMENT_HISTOGRAM=1`. */
  statementHistogram: () => statementHistogram(),

  /**
   * Where one `GET /v1/<bot>/account` goes, in µs per call, measured in this process one piece at
   * a time: the bearer-token lookup, the account query, the whole account listing (query + token
   * decryption + rendering), and the whole request through Fastify without a socket.
   */
  async breakdown(params: { token: string; bot: string; iterations: number }) {
    const { services, app, tenantId } = current();
    const provider = services.providers.require(params.bot);
    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await fn();
      const start = performance.now();
      for (let i = 0; i < params.iterations; i++) await fn();
      return ((performance.now() - start) * 1000) / params.iterations;
    };
    return {
      tokenLookup: await time(() => authenticateApiToken(services.store, params.token)),
      accountQuery: await time(() => services.store.accounts.list(tenantId, params.bot)),
      accountListing: await time(() => services.accounts.list(tenantId, provider)),
      request: await time(() => app.inject({ url: `/v1/${params.bot}/account`, headers: { authorization: `Bearer ${params.token}` } })),
    };
  },

  /** Memory after a full GC (the worker runs with --expose-gc), CPU so far, event-loop delay. */
  async usage() {
    await settleMemory();
    const memory = process.memoryUsage();
    const result = { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, cpu: process.cpuUsage(), loopDelayMaxMs: loopDelay.max / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
    loopDelay.reset();
    return result;
  },
  /** A CPU profile of a window only (no start-up, no warm-up): `windowProfile('start')`, then `('stop', file)`. */
  async windowProfile(params: { action: 'start' | 'stop'; file?: string }) {
    if (params.action === 'start') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return;
    }
    const { profile } = await profiler!.post('Profiler.stop');
    fs.writeFileSync(params.file!, JSON.stringify(profile));
    profiler!.disconnect();
    profiler = undefined;
  },
  /** CPU time this process has used so far, in ms (user + system), without a GC first. */
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
  startLoopMonitor: () => loopDelay.enable(),
  heartbeats: (intervalMs: number) => heartbeats.summary(intervalMs),
  resetHeartbeats: () => heartbeats.reset(),
  /** Gateway sessions that are READY right now. */
  async readySessions(count?: number) {
    const { services } = current();
    const accounts = (await services.store.accounts.listAll()).slice(0, count);
    return accounts.filter((a) => services.pool.client(a).gateway.state === 'ready').length;
  },

  async stop() {
    if (!running) return;
    const { services, app, database } = running;
    running = undefined;
    services.jobs.stopWaiting();
    await app.close();
    await services.close();
    await database.drop();
  },
});
