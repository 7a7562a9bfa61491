/**
 * Webhook fairness with real receivers: one tenant's never-answering receivers (connections
 * accepted, no answer ever) must not delay another tenant's deliveries, and are given up on after
 * the short response timeout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import type { NewJob } from '../../src/store/index.ts';
import { WebhookDispatcher } from '../../src/webhooks/index.ts';
import { freshDatabase, type TestStoreSetup } from '../support/stores.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

describe('webhook fairness', () => {
  let setup: TestStoreSetup;
  let services: Services;
  let receiver: WebhookReceiver;
  let blackHole: http.Server;
  let blackHoleUrl: string;
  let dispatcher: WebhookDispatcher | undefined;
  const held: http.ServerResponse[] = [];

  beforeEach(async () => {
    setup = await freshDatabase('sqlite', { SWITCHBOARD_SECRET: 'fairness-test-secret-value' });
    services = await openServices(setup.config);
    for (const id of ['slow', 'quick']) await services.store.tenants.create({ id, name: id, tokenHash: `h-${id}`, tokenHint: 'x', createdAt: 1 });
    receiver = new WebhookReceiver();
    await receiver.start();
    // Accepts every connection and request, and never answers.
    blackHole = http.createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHoleUrl = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}/never`;
  });
  afterEach(async () => {
    // Cut the held connections first, so the dispatcher's attempts end now rather than at their timeout.
    blackHole.closeAllConnections();
    await dispatcher?.stop();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    await receiver.stop();
    await services.close();
    await setup.cleanup();
  });

  async function finishJob(tenantId: string, jobid: string, url: string) {
    const job: NewJob = {
      jobid, tenantId, bot: 'faceswap', verb: 'faceswap-picsi', status: 'started', accountId: null, channel: '1', server: '2',
      discordMasked: '<abc…secured…xyz>', maxJobs: null, request: {}, replyUrl: url, replyRef: null, messageId: null, content: null,
      timestamp: null, attachments: null, embeds: null, buttons: null, error: null, errorDetails: null, code: null, parentJobId: null,
      button: null, runnerState: {}, createdAt: Date.now(), deadlineAt: null,
    };
    await services.store.jobs.insert(job, []);
    await services.store.jobs.update(jobid, ['started'], { status: 'completed' }, Date.now(), { url, render: (j) => ({ jobid: j.jobid, status: j.status, code: 200 }) });
  }

  it("delivers a tenant's webhook promptly while another tenant's receivers never answer", async () => {
    // 40 dead deliveries for one tenant: more than a whole batch of the old dispatcher.
    for (let i = 0; i < 40; i++) await finishJob('slow', `job:slow-${i}`, blackHoleUrl);
    dispatcher = new WebhookDispatcher({ store: services.store, secrets: services.secrets, allowPrivate: true, pollIntervalMs: 50, timeoutMs: 20_000, batchSize: 20, perTenantConcurrency: 4 });
    dispatcher.start();
    await waitUntil(() => held.length >= 4, 20_000, 'the dead receiver to hold its connections');
    const submitted = Date.now();
    await finishJob('quick', 'job:quick', receiver.url);
    dispatcher.kick();
    await receiver.waitFor(1);
    const latency = Date.now() - submitted;
    // Well inside the dead receivers' 20 s timeout: the quick tenant did not wait for them.
    expect(latency).toBeLessThan(10_000);
    // The slow tenant holds at most its own share of connections.
    expect(held.length).toBeLessThanOrEqual(4);
  });

  it('gives up on a receiver that never answers after the response timeout', async () => {
    await finishJob('slow', 'job:dead', blackHoleUrl);
    dispatcher = new WebhookDispatcher({ store: services.store, secrets: services.secrets, allowPrivate: true, pollIntervalMs: 50, timeoutMs: 500, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 5 } });
    dispatcher.start();
    await waitUntil(async () => ((await services.store.outbox.forJob('slow', 'job:dead'))[0]?.deliveries.length ?? 0) >= 1, 20_000, 'the first attempt to be recorded');
    const [attempt] = (await services.store.outbox.forJob('slow', 'job:dead'))[0]!.deliveries;
    expect(attempt!.statusCode).toBeNull();
    expect(attempt!.error).toMatch(/within 500 ms/);
  });
});
