/**
 * Midjourney and SIGKILL: a `switchboard serve` killed while Midjourney renders a grid restarts
 * and finishes the job from what the bot did meanwhile — the new final message, the deleted
 * progress message — without sending /imagine again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startServe, type ServeProcess } from '../support/cli.ts';
import { waitUntil } from '../support/wait.ts';

describe('midjourney crash recovery', () => {
  let sim: Simulator;
  let dataDir: string;
  let server: ServeProcess | undefined;
  let env: Record<string, string>;

  beforeEach(async () => {
    sim = await startSimulator({ heartbeatIntervalMs: 1000, botLatencyMs: 300 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-mj-crash-'));
    env = { SWITCHBOARD_DATA_DIR: dataDir, DISCORD_API_URL: sim.apiUrl, DISCORD_GATEWAY_URL: sim.gatewayUrl, SWITCHBOARD_SECRET: 'crash-test-secret-value' };
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes an imagine that was rendering when the process was killed, without sending it again', async () => {
    server = await startServe(env);
    const token = server.output().match(/^(sb_\S+)$/m)![1]!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const account = sim.control.midjourney.createAccount();
    const saved = await fetch(`${server.url}/v2/account/midjourney/${account.channelId}`, { method: 'POST', headers, body: JSON.stringify({ discord: account.user.token, channel: account.channelId, maxJobs: 3 }) });
    expect(saved.status).toBe(204);

    const started = await (await fetch(`${server.url}/v2/jobs/imagine`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'a crash test' }) })).json();
    expect(started.status).toMatch(/started|progress/);
    server.child.kill('SIGKILL');
    await server.exited;

    // While switchboard is down Midjourney finishes: the grid is a new message, the progress message is gone.
    server = await startServe(env);
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v2/jobs/?jobid=${encodeURIComponent(started.jobid)}`, { headers })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 30_000, 'the job to end');
    expect(job).toMatchObject({ status: 'completed', verb: 'imagine', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'] });
    expect(job.attachments[0].filename).toMatch(/_[0-9a-f-]{36}\.png$/);
    expect(sim.control.report().interactions.filter((i) => i.name === 'imagine')).toHaveLength(1);
  });
});
