/**
 * Three `switchboard serve` processes on one PostgreSQL and one simulated Discord behave as one:
 * any instance accepts any call, capacity holds across instances, nothing is sent twice, and when
 * an instance is killed its accounts are taken over and its jobs end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startServe, type ServeProcess } from '../support/cli.ts';
import { form, png } from '../support/harness.ts';
import { availableStoreKinds, POSTGRES_URL } from '../support/stores.ts';
import { waitUntil } from '../support/wait.ts';

const kinds = await availableStoreKinds();

describe.runIf(kinds.includes('postgres'))('three instances on one PostgreSQL', () => {
  let sim: Simulator;
  let database: string;
  let databaseUrl: string;
  const servers: ServeProcess[] = [];
  const dirs: string[] = [];
  let token: string;
  const faceswap: { channel: string }[] = [];
  const pika: { channel: string }[] = [];

  const admin = async <T>(fn: (client: pg.Client) => Promise<T>, url = POSTGRES_URL): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  const start = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cluster-'));
    dirs.push(dir);
    const server = await startServe({ DATABASE_URL: databaseUrl, SWITCHBOARD_SECRET: 'cluster-secret-value-1', SWITCHBOARD_DATA_DIR: dir, DISCORD_API_URL: sim.apiUrl, DISCORD_GATEWAY_URL: sim.gatewayUrl });
    servers.push(server);
    return server;
  };

  const call = (server: ServeProcess, method: string, url: string, body?: FormData | object) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
    });

  /** Submits until accepted (429 = busy, as useapi clients retry), then waits for the end. */
  const runJob = async (server: ServeProcess, bot: 'faceswap' | 'pika', fields: Record<string, string | Blob>) => {
    const path = bot === 'faceswap' ? '/v1/faceswap/picsi' : '/v1/pika/create';
    for (;;) {
      const response = await call(server, 'POST', path, form(fields));
      if (response.status === 429) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      let job = await response.json();
      expect(response.status, JSON.stringify(job)).toBe(200);
      await waitUntil(async () => {
        job = await (await call(server, 'GET', `/v1/${bot}/jobs/?jobid=${encodeURIComponent(job.jobid)}`)).json();
        return !['created', 'started', 'progress'].includes(job.status);
      }, 120_000, `job ${job.jobid} to end`);
      return job;
    }
  };

  beforeAll(async () => {
    sim = await startSimulator({ heartbeatIntervalMs: 1000, botLatencyMs: 10, pikaConcurrency: 2, rateLimit: { perToken: { limit: 100, windowMs: 1000 }, global: { limit: 200, windowMs: 1000 } } });
    database = `sb_cluster_${crypto.randomBytes(4).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${database}`));
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    const first = await start();
    token = first.firstToken();
    await Promise.all([start(), start()]);
    for (let i = 0; i < 3; i++) {
      const f = sim.control.createFaceswapAccount();
      expect((await call(first, 'POST', `/v1/faceswap/account/${f.channelId}`, { discord: f.user.token, server: f.guildId, channel: f.channelId })).status).toBe(204);
      faceswap.push({ channel: f.channelId });
      const p = sim.control.createPikaAccount();
      expect((await call(first, 'POST', `/v1/pika/account/${p.channelId}`, { discord: p.user.token, channel: p.channelId, maxJobs: 2 })).status).toBe(204);
      pika.push({ channel: p.channelId });
    }
    // Every account gets an owner, spread over the three instances.
    await waitUntil(
      async () => {
        const rows = await admin((c) => c.query('select lease_owner from accounts where lease_until > $1', [Date.now()]), databaseUrl);
        return rows.rows.length === 6 && new Set(rows.rows.map((r) => r.lease_owner)).size === 3;
      },
      // Generous: on a loaded 2-core machine a lease round can run late; wait on the state, not a clock.
      90_000,
      'leases spread over three instances',
    );
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await sim?.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs 60 concurrent mixed jobs sent to all three instances: each completes once, without overlap or overrun', async () => {
    sim.control.resetReport();
    const jobs = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const server = servers[i % 3]!;
        return i % 2 === 0 ? runJob(server, 'faceswap', { source_image: png(i), target_image_gif_or_video: png(i + 100) }) : runJob(server, 'pika', { prompt: `cluster job ${i}` });
      }),
    );
    expect(jobs.map((j) => j.status)).toEqual(Array(60).fill('completed'));
    const report = sim.control.report();
    expect(report.faceswapOverlaps).toEqual([]);
    expect(report.duplicateNonces).toEqual([]);
    expect(report.rateLimitViolations).toEqual([]);
    expect(report.interactions.filter((i) => i.name === 'picsi')).toHaveLength(30);
    expect(report.interactions.filter((i) => i.name === 'create')).toHaveLength(30);
    // Pika's own limit is 2 per user = maxJobs: had an instance overrun it, the bot would have refused a job.
    expect(new Set(jobs.map((j) => j.channel)).size).toBe(6);
  }, 300_000);

  it('takes over the accounts of a killed instance and ends its jobs', async () => {
    const victim = servers[1]!;
    const owners = await admin((c) => c.query('select channel, bot, lease_owner from accounts'), databaseUrl);
    const victimId = (await admin((c) => c.query('select id from instances order by started_at'), databaseUrl)).rows.map((r) => r.id)[1];
    const orphan = owners.rows.find((r) => r.lease_owner === victimId && r.bot === 'pika') ?? owners.rows.find((r) => r.lease_owner === victimId)!;
    expect(orphan).toBeDefined();

    // A slow job in flight on the victim's account when it dies.
    sim.control.setBotLatency(400);
    const sentBefore = sim.control.report().interactions.filter((i) => i.channelId === orphan.channel).length;
    const body = orphan.bot === 'pika' ? form({ prompt: 'in flight', channel: orphan.channel }) : form({ channel: orphan.channel, prompt: 'in flight' });
    const started = await (await call(servers[0]!, 'POST', orphan.bot === 'pika' ? '/v1/pika/create' : '/v1/faceswap/headshot', body)).json();
    await waitUntil(() => sim.control.report().interactions.filter((i) => i.channelId === orphan.channel).length > sentBefore, 10_000, 'the job to reach Discord');
    victim.child.kill('SIGKILL');
    await victim.exited;
    sim.control.setBotLatency(10);

    await waitUntil(
      async () => {
        const row = await admin((c) => c.query('select lease_owner from accounts where channel = $1 and lease_until > $2', [orphan.channel, Date.now()]), databaseUrl);
        return row.rows.length === 1 && row.rows[0].lease_owner !== victimId;
      },
      // The lease runs out after 10 s and is renewed every 3 s: takeover is due in ~13 s, but on a
      // loaded 2-core machine it once took longer than the old 20 s deadline. Wait on the state
      // with a generous deadline; how fast takeover is belongs in bench/, not in a pass/fail test.
      90_000,
      'takeover of the orphaned account',
    );

    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await call(servers[2]!, 'GET', `/v1/${orphan.bot}/jobs/?jobid=${encodeURIComponent(started.jobid)}`)).json();
      return !['created', 'started', 'progress'].includes(job.status);
    }, 120_000, 'the orphaned job to end');
    expect(['completed', 'failed']).toContain(job.status);
    // The taken-over account keeps working, through any instance.
    const next = await runJob(servers[2]!, orphan.bot, orphan.bot === 'pika' ? { prompt: 'after takeover', channel: orphan.channel } : { channel: orphan.channel, source_image: png(1), target_image_gif_or_video: png(2) });
    expect(next.status).toBe('completed');
    expect(sim.control.report().duplicateNonces).toEqual([]);
  }, 300_000);
});
