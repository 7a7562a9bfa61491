/**
 * Webhook delivery through the outbox against a real HTTP receiver and real stores: signatures,
 * retries while the receiver is down, survival across restarts, the private-address policy, and
 * one delivery per row when several dispatchers share a database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import { SIGNATURE_HEADER, tenantWebhookSecret, verifySignature, WebhookDispatcher } from '../../src/webhooks/index.ts';
import type { NewJob } from '../../src/store/index.ts';
import { availableStoreKinds, freshDatabase, type TestStoreSetup } from '../support/stores.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const kinds = await availableStoreKinds();
const fastRetry = { baseDelayMs: 30, maxDelayMs: 200, maxAttempts: 50 };

describe.each(kinds)('webhook delivery on %s', (kind) => {
  let setup: TestStoreSetup;
  let services: Services;
  let receiver: WebhookReceiver;
  const dispatchers: WebhookDispatcher[] = [];

  const open = () => openServices(setup.config, setup.schema ? { store: { schema: setup.schema } } : {});
  const dispatcher = (s: Services, allowPrivate = true) => {
    const d = new WebhookDispatcher({ store: s.store, secrets: s.secrets, allowPrivate, retry: fastRetry, pollIntervalMs: 20 });
    dispatchers.push(d);
    return d;
  };

  beforeEach(async () => {
    setup = await freshDatabase(kind, { SWITCHBOARD_SECRET: 'webhook-test-secret-value' });
    services = await open();
    await services.store.tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    await receiver.stop();
    await services.close();
    await setup.cleanup();
  });

  /** Finishes a job with a replyUrl, which enqueues its webhook in the same transaction. */
  async function finishJob(s: Services, jobid: string, url = receiver.url) {
    const job: NewJob = {
      jobid, tenantId: 't1', bot: 'faceswap', verb: 'faceswap-picsi', status: 'started', accountId: null, channel: '1', server: '2',
      discordMasked: '<abc…secured…xyz>', maxJobs: null, request: {}, replyUrl: url, replyRef: 'my-ref', messageId: null, content: null,
      timestamp: null, attachments: null, embeds: null, buttons: null, error: null, errorDetails: null, code: null, parentJobId: null,
      button: null, runnerState: {}, createdAt: Date.now(), deadlineAt: null,
    };
    await s.store.jobs.insert(job, []);
    await s.store.jobs.update(jobid, ['started'], { status: 'completed' }, Date.now(), { url, render: (j) => ({ jobid: j.jobid, status: j.status, replyRef: j.replyRef, code: 200 }) });
  }

  it('posts the job JSON with a signature the tenant can verify', async () => {
    dispatcher(services).start();
    await finishJob(services, 'job:signed');
    await receiver.waitFor(1);
    const [hook] = receiver.received;
    expect(JSON.parse(hook!.body)).toEqual({ jobid: 'job:signed', status: 'completed', replyRef: 'my-ref', code: 200 });
    expect(hook!.headers['x-switchboard-job']).toBe('job:signed');
    expect(hook!.headers['x-switchboard-attempt']).toBe('1');
    const secret = await tenantWebhookSecret(services.store, services.secrets, 't1');
    expect(verifySignature(secret, hook!.body, hook!.headers[SIGNATURE_HEADER] as string, Math.floor(Date.now() / 1000))).toBe(true);
  });

  it('keeps retrying while the receiver is down and delivers once it is back', async () => {
    await receiver.stop();
    const d = dispatcher(services);
    d.start();
    await finishJob(services, 'job:down');
    // Wait on state: at least two failed attempts are logged before the receiver returns.
    await waitUntil(async () => ((await services.store.outbox.forJob('t1', 'job:down'))[0]?.deliveries.length ?? 0) >= 2);
    await receiver.start();
    await receiver.waitFor(1);
    await waitUntil(async () => (await services.store.outbox.forJob('t1', 'job:down'))[0]?.status === 'delivered');
    const [row] = await services.store.outbox.forJob('t1', 'job:down');
    expect(row!.deliveries.at(-1)!.statusCode).toBe(200);
    expect(row!.deliveries.slice(0, -1).every((a) => a.statusCode === null && a.error)).toBe(true);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries on a 5xx answer', async () => {
    receiver.status = 503;
    dispatcher(services).start();
    await finishJob(services, 'job:5xx');
    await waitUntil(async () => ((await services.store.outbox.forJob('t1', 'job:5xx'))[0]?.deliveries.length ?? 0) >= 1);
    receiver.status = 204;
    await receiver.waitFor(1);
  });

  it('delivers after a restart what was enqueued before it', async () => {
    await finishJob(services, 'job:restart');
    await services.close();
    services = await open();
    dispatcher(services).start();
    await receiver.waitFor(1);
    expect(JSON.parse(receiver.received[0]!.body).jobid).toBe('job:restart');
  });

  it('picks up a delivery whose previous owner died holding its lease', async () => {
    await finishJob(services, 'job:orphan');
    const now = Date.now();
    expect(await services.store.outbox.claimDue(now, 10, 'crashed-instance', now + 150)).toHaveLength(1);
    dispatcher(services).start();
    await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses loopback targets unless private callbacks are allowed', async () => {
    dispatcher(services, false).start();
    await finishJob(services, 'job:private');
    await waitUntil(async () => ((await services.store.outbox.forJob('t1', 'job:private'))[0]?.deliveries.length ?? 0) >= 1);
    const [row] = await services.store.outbox.forJob('t1', 'job:private');
    expect(row!.deliveries[0]!.error).toMatch(/EADDRNOTALLOWED/);
    expect(receiver.received).toHaveLength(0);
  });

  it('delivers each webhook once when two instances share the database', async () => {
    const second = await open();
    try {
      dispatcher(services).start();
      dispatcher(second).start();
      for (let i = 0; i < 20; i++) await finishJob(i % 2 ? services : second, `job:shared-${i}`);
      await receiver.waitFor(20);
      await waitUntil(async () => (await services.store.outbox.countPending()) === 0);
      const jobs = receiver.received.map((r) => JSON.parse(r.body).jobid);
      expect(new Set(jobs).size).toBe(20);
      expect(jobs).toHaveLength(20);
    } finally {
      await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
      await second.close();
    }
  });
});
