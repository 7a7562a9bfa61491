/**
 * End-to-end harness: the simulated Discord plus a real switchboard (HTTP server, runner,
 * webhook dispatcher) pointed at it, over real sockets, on a fresh store.
 */
import { issueApiToken } from '../../src/auth/index.ts';
import { openServices, type RuntimeOptions, type Services } from '../../src/bootstrap/index.ts';
import { buildApp } from '../../src/http/index.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { makePng } from '../../src/simulator/media/png.ts';
import { freshDatabase, type StoreKind, type TestStoreSetup } from './stores.ts';
import { waitUntil } from './wait.ts';
import type { FastifyInstance } from 'fastify';

export interface Harness {
  sim: Simulator;
  services: Services;
  app: FastifyInstance;
  url: string;
  token: string;
  setup: TestStoreSetup;
  /** A simulated faceswap user configured as an account of the harness tenant. */
  addFaceswapAccount(): Promise<{ channel: string; server: string; userId: string; discord: string }>;
  /** A simulated Pika user (DM channel) configured with `maxJobs`, or only created when `configure` is false. */
  addPikaAccount(maxJobs?: number, configure?: boolean): Promise<{ channel: string; userId: string; discord: string }>;
  call(method: string, path: string, options?: { form?: FormData; json?: unknown; token?: string }): Promise<Response>;
  /** Polls `GET /v1/<bot>/jobs/?jobid=` until the job has ended; returns it. */
  waitForEnd(bot: 'faceswap' | 'pika', jobid: string): Promise<Record<string, any>>;
  close(): Promise<void>;
}

/** A small valid PNG; `seed` varies its pixels. */
export function png(seed = 1): Blob {
  return new Blob([makePng(16, 16, seed)], { type: 'image/png' });
}

export function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') data.append(name, value);
    else data.append(name, value, `${name}.${value.type.split('/')[1] ?? 'bin'}`);
  }
  return data;
}

export async function startHarness(options: { kind?: StoreKind; simulator?: SimulatorOptions; runtime?: RuntimeOptions; env?: Record<string, string> } = {}): Promise<Harness> {
  const sim = await startSimulator({ heartbeatIntervalMs: 1000, interactionTimeoutMs: 1500, ...options.simulator });
  // TEST_STORE=postgres runs the suites that do not choose a store on PostgreSQL instead.
  const setup = await freshDatabase(options.kind ?? (process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'), {
    SWITCHBOARD_SECRET: 'harness-secret-value-123',
    DISCORD_API_URL: sim.apiUrl,
    DISCORD_GATEWAY_URL: sim.gatewayUrl,
    SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: '1',
    SWITCHBOARD_VERIFY_ACCOUNTS: '1',
    ...options.env,
  });
  const services = await openServices(setup.config, {
    ...(setup.schema ? { store: { schema: setup.schema } } : {}),
    runnerPollMs: 50,
    webhookPollMs: 50,
    webhookRetry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 100 },
    ...options.runtime,
  });
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await services.start();
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { token } = await issueApiToken(services.store, 'harness');

  const call: Harness['call'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? token}` };
    let body: FormData | string | undefined;
    if (opts.form) body = opts.form;
    else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    return fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  };

  return {
    sim,
    services,
    app,
    url,
    token,
    setup,
    call,
    async waitForEnd(bot, jobid) {
      let job: Record<string, any> = {};
      await waitUntil(async () => {
        job = await (await call('GET', `/v1/${bot}/jobs/?jobid=${encodeURIComponent(jobid)}`)).json();
        return !['created', 'started', 'progress'].includes(job.status);
      }, 20_000, `job ${jobid} to end`);
      return job;
    },
    async addFaceswapAccount() {
      const account = sim.control.createFaceswapAccount();
      const response = await call('POST', `/v1/faceswap/account/${account.channelId}`, { json: { discord: account.user.token, server: account.guildId, channel: account.channelId } });
      if (response.status !== 204) throw new Error(`account setup failed: ${response.status} ${await response.text()}`);
      return { channel: account.channelId, server: account.guildId, userId: account.user.id, discord: account.user.token };
    },
    async addPikaAccount(maxJobs = 3, configure = true) {
      const account = sim.control.createPikaAccount();
      if (configure) {
        const response = await call('POST', `/v1/pika/account/${account.channelId}`, { json: { discord: account.user.token, channel: account.channelId, maxJobs } });
        if (response.status !== 204) throw new Error(`account setup failed: ${response.status} ${await response.text()}`);
      }
      return { channel: account.channelId, userId: account.user.id, discord: account.user.token };
    },
    async close() {
      // Every test run through the harness also proves the client passed as one browser.
      const { fingerprintViolations } = sim.control.report();
      services.jobs.stopWaiting();
      await app.close();
      await services.close();
      await sim.close();
      await setup.cleanup();
      if (fingerprintViolations.length > 0) throw new Error(`the simulator saw fingerprint violations: ${JSON.stringify(fingerprintViolations, null, 2)}`);
    },
  };
}
