/** Webhooks for faceswap jobs: a receiver that is down for a while still gets every terminal job, signed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../src/webhooks/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

describe('faceswap webhooks', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness();
    await h.addFaceswapAccount();
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await h.close();
  });

  it('delivers completed and failed jobs once the receiver is back, each with a valid signature', async () => {
    await receiver.stop();
    const completed = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2), replyUrl: receiver.url, replyRef: 'done-ref' }) })).json();
    h.sim.control.failNextFaceswapJobs(1, 'botError');
    const failed = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(3), target_image_gif_or_video: png(4), replyUrl: receiver.url }) })).json();
    expect([completed.status, failed.status]).toEqual(['completed', 'failed']);

    await waitUntil(async () => {
      const log = await (await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(completed.jobid)}`)).json();
      return log[0]?.attempts >= 2;
    }, 60_000, 'a second attempt at the down receiver');
    await receiver.start();
    await receiver.waitFor(2);

    const { secret } = await (await h.call('GET', '/v1/webhooks/secret')).json();
    const bodies = receiver.received.map((r) => {
      expect(verifySignature(secret, r.body, r.headers[SIGNATURE_HEADER] as string, Math.floor(Date.now() / 1000))).toBe(true);
      return JSON.parse(r.body);
    });
    const byJob = Object.fromEntries(bodies.map((b) => [b.jobid, b]));
    expect(byJob[completed.jobid]).toEqual(completed);
    expect(byJob[failed.jobid]).toMatchObject({ status: 'failed', code: 422 });
    // The receiver answers before the dispatcher records the delivery: wait for the record, not for time.
    let log: any[] = [];
    await waitUntil(async () => {
      log = await (await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(completed.jobid)}`)).json();
      return log[0]?.status === 'delivered';
    }, 60_000, 'the delivery recorded as delivered');
    expect(log[0]).toMatchObject({ status: 'delivered', url: receiver.url });
    expect(log[0].deliveries.at(-1).statusCode).toBe(200);
  }, 120_000);

  it('refuses a loopback replyUrl when private callbacks are not allowed', async () => {
    const strict = await startHarness({ env: { SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: '0' } });
    try {
      await strict.addFaceswapAccount();
      const response = await strict.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2), replyUrl: receiver.url }) });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(/must not point to a loopback or private address/);
    } finally {
      await strict.close();
    }
  });
});
