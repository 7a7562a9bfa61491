/** Pika jobs get the same guarantees as faceswap: signed webhooks, crash recovery, honest account health. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../src/webhooks/index.ts';
import { startServe } from '../support/cli.ts';
import { form, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

describe('pika webhooks and account health', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await h.close();
  });

  it('posts the completed and the moderated job to replyUrl, signed, after the receiver comes back', async () => {
    await h.addPikaAccount(3);
    await receiver.stop();
    h.sim.control.setBannedWords(['forbidden']);
    const ok = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a calm lake', replyUrl: receiver.url, replyRef: 'lake' }) })).json();
    const bad = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a forbidden thing', replyUrl: receiver.url }) })).json();
    const tenantId = (await h.services.store.tenants.list()).at(-1)!.id;
    await waitUntil(async () => ((await h.services.store.outbox.forJob(tenantId, ok.jobid))[0]?.attempts ?? 0) >= 1);
    await receiver.start();
    await receiver.waitFor(2);
    h.sim.control.setBannedWords([]);
    const { secret } = await (await h.call('GET', '/v1/webhooks/secret')).json();
    const bodies = Object.fromEntries(
      receiver.received.map((r) => {
        expect(verifySignature(secret, r.body, r.headers[SIGNATURE_HEADER] as string, Math.floor(Date.now() / 1000))).toBe(true);
        const body = JSON.parse(r.body);
        return [body.jobid, body];
      }),
    );
    expect(bodies[ok.jobid]).toMatchObject({ status: 'completed', verb: 'pika-create', replyRef: 'lake', buttons: ['retry'] });
    expect(bodies[bad.jobid]).toMatchObject({ status: 'moderated', code: 422 });
  });

  it('answers 596 for an account that needs a human, an explicit error for a revoked token, and selection skips both', async () => {
    const healthy = await h.addPikaAccount(3);
    const captcha = await h.addPikaAccount(3);
    const revoked = await h.addPikaAccount(3);
    // Each account has to meet Discord once for its trouble to show.
    for (const a of [captcha, revoked]) {
      const job = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'warm up', channel: a.channel }) })).json();
      await waitUntil(async () => !['created', 'started', 'progress'].includes((await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(job.jobid)}`)).json()).status));
    }
    h.sim.control.injectRestFault(captcha.userId, { kind: 'captcha' }, 100);
    h.sim.control.revokeToken(revoked.userId);
    await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'trip the captcha', channel: captcha.channel }) });
    const health = async (channel: string) => (await h.services.store.accounts.list((await h.services.store.tenants.list()).at(-1)!.id, 'pika')).find((a) => a.channel === channel)!.health;
    await waitUntil(async () => (await health(captcha.channel)).state === 'needs_human' && (await health(revoked.channel)).state === 'auth_failed');

    const needsHuman = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'x', channel: captcha.channel }) });
    expect(needsHuman.status).toBe(596);
    expect((await needsHuman.json()).error).toMatch(/needs attention \(captcha\)/);
    const rejected = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'x', channel: revoked.channel }) });
    expect(rejected.status).toBe(596);
    expect((await rejected.json()).error).toMatch(/Discord rejected the token of channel/);

    for (let i = 0; i < 5; i++) {
      const job = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: `auto ${i}` }) })).json();
      expect([captcha.channel, revoked.channel]).not.toContain(job.channel);
    }
    expect(healthy.channel).toBeDefined();
    h.sim.control.clearRestFaults(captcha.userId);
    h.sim.control.restoreToken(revoked.userId);
  });
});

describe('pika crash recovery', () => {
  it('finishes two generations that were running in one channel when the process was killed, each with its own video, sending neither again', async () => {
    const sim = await startSimulator({ heartbeatIntervalMs: 1000, botLatencyMs: 250 });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-pika-crash-'));
    const env = { SWITCHBOARD_DATA_DIR: dataDir, DISCORD_API_URL: sim.apiUrl, DISCORD_GATEWAY_URL: sim.gatewayUrl, SWITCHBOARD_SECRET: 'pika-crash-secret-value' };
    let server = await startServe(env);
    try {
      const token = server.firstToken();
      const headers = { authorization: `Bearer ${token}` };
      const account = sim.control.createPikaAccount();
      await fetch(`${server.url}/v1/pika/account/${account.channelId}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ discord: account.user.token, channel: account.channelId, maxJobs: 2 }) });
      const started = await Promise.all(
        ['first crash survivor', 'second crash survivor'].map(async (prompt) => (await fetch(`${server.url}/v1/pika/create`, { method: 'POST', headers, body: form({ prompt }) })).json()),
      );
      for (const job of started) expect(job.status).toMatch(/started|progress/);
      server.child.kill('SIGKILL');
      await server.exited;

      server = await startServe(env);
      const url = server.url;
      const ended: Record<string, any>[] = [];
      for (const { jobid } of started) {
        let job: Record<string, any> = {};
        await waitUntil(async () => {
          job = await (await fetch(`${url}/v1/pika/jobs/?jobid=${encodeURIComponent(jobid)}`, { headers })).json();
          return !['created', 'started', 'progress'].includes(job.status);
        }, 20_000);
        ended.push(job);
      }
      expect(ended.map((j) => j.status)).toEqual(['completed', 'completed']);
      // Each job got its own result: the file name carries its prompt.
      expect(ended[0]!.attachments[0].filename).toMatch(/^first_crash_survivor/);
      expect(ended[1]!.attachments[0].filename).toMatch(/^second_crash_survivor/);
      expect(sim.control.report().interactions.filter((i) => i.name === 'create')).toHaveLength(2);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
