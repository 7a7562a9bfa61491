/**
 * A `switchboard serve` process killed with SIGKILL mid-job restarts into a consistent state:
 * jobs in flight are finished from what Discord did meanwhile, and no command is sent twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startServe, type ServeProcess } from '../support/cli.ts';
import { form, png } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('crash recovery', () => {
  let sim: Simulator;
  let dataDir: string;
  let server: ServeProcess | undefined;
  let env: Record<string, string>;

  beforeEach(async () => {
    sim = await startSimulator({ heartbeatIntervalMs: 1000, botLatencyMs: 300 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-crash-'));
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

  it('finishes an asynchronous job that was running when the process was killed, without sending it again', async () => {
    server = await startServe(env);
    const token = server.firstToken();
    const call = (method: string, url: string, init: { form?: FormData; json?: unknown } = {}) =>
      fetch(`${server!.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
        ...(init.form ? { body: init.form } : init.json ? { body: JSON.stringify(init.json) } : {}),
      });
    const account = sim.control.createFaceswapAccount();
    expect((await call('POST', `/v1/faceswap/account/${account.channelId}`, { json: { discord: account.user.token, server: account.guildId, channel: account.channelId } })).status).toBe(204);
    expect((await call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'me', image: png(1) }) })).status).toBe(200);

    const started = await (await call('POST', '/v1/faceswap/headshot', { json: { prompt: 'a crash test' } })).json();
    expect(started.status).toBe('started');
    server.child.kill('SIGKILL');
    await server.exited;

    // While switchboard is down the bot finishes; its result waits in the channel's history.
    server = await startServe(env);
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v1/faceswap/jobs/?jobid=${encodeURIComponent(started.jobid)}`, { headers: { authorization: `Bearer ${token}` } })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 20_000);
    expect(job).toMatchObject({ status: 'completed' });
    expect(job.attachments[0].content_type).toBe('image/png');
    expect(sim.control.report().interactions.filter((i) => i.name === 'headshot')).toHaveLength(1);
    // The channel is free again: the next command runs.
    expect((await (await call('POST', '/v1/faceswap/listid', { form: form({}) })).json()).status).toBe('completed');
  });

  it.each([
    ['the default style', {}],
    ['results as plain messages without a mention, errors as red embeds', { result: 'message-no-mention', errors: 'embed' }],
    ['results as replies to the acknowledgement', { result: 'reply' }],
  ] as const)('finishes a blocking job whose caller lost its connection when the process died (%s)', async (_name, style) => {
    sim.control.setFaceswapStyle(style);
    server = await startServe(env);
    const token = server.firstToken();
    const headers = { authorization: `Bearer ${token}` };
    const account = sim.control.createFaceswapAccount();
    await fetch(`${server.url}/v1/faceswap/account/${account.channelId}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ discord: account.user.token, server: account.guildId, channel: account.channelId }),
    });
    sim.control.setBotLatency(1500);
    const pending = fetch(`${server.url}/v1/faceswap/picsi`, { method: 'POST', headers, body: form({ source_image: png(2), target_image_gif_or_video: png(3) }) }).catch((error: Error) => error);
    await waitUntil(() => sim.control.report().interactions.some((i) => i.name === 'picsi'), 10_000);
    const [jobid] = (await (await fetch(`${server.url}/v1/faceswap/jobs`, { headers })).json()) as string[];
    expect(jobid).toBeDefined();
    server.child.kill('SIGKILL');
    await server.exited;
    expect(await pending).toBeInstanceOf(Error);

    sim.control.setBotLatency(0);
    server = await startServe(env);
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v1/faceswap/jobs/?jobid=${encodeURIComponent(jobid!)}`, { headers })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 20_000);
    expect(job).toMatchObject({ status: 'completed', verb: 'faceswap-picsi' });
    expect(sim.control.report().interactions.filter((i) => i.name === 'picsi')).toHaveLength(1);
    expect((await (await fetch(`${url}/v1/faceswap/listid`, { method: 'POST', headers, body: form({}) })).json()).status).toBe('completed');
  });
});
