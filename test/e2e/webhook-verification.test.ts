/**
 * Webhooks any receiver can verify: job webhooks and account alerts carry Standard Webhooks
 * signatures that the `standardwebhooks` package accepts with the secret the API hands out; a
 * failed delivery can be sent again; a revoked token produces one signed `account.health_changed`
 * alert and restoring it the event back to `active`.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../src/webhooks/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.ts';

/** What a receiver does with the Standard Webhooks library: throws unless the signature is good. */
function verifyStandard(secret: string, hook: ReceivedWebhook): unknown {
  const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(hook.headers[h])]));
  return new Webhook(secret).verify(hook.body, headers);
}

describe('webhooks verified with a Standard Webhooks library', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let secrets: { secret: string; standardWebhooks: { secret: string } };

  beforeAll(async () => {
    h = await startHarness({
      runtime: {
        webhookRetry: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 },
        // An auth_failed account is re-probed after 300 ms (the default is 10 minutes).
        health: { tickMs: 25, policy: { authProbeMs: 300 } },
      },
    });
    secrets = await (await h.call('GET', '/v1/webhooks/secret')).json();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await receiver?.stop();
  });

  it('hands out the secret in both spellings', () => {
    expect(secrets.secret).toMatch(/^whsec_/);
    expect(secrets.standardWebhooks.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(secrets.standardWebhooks.secret.slice(6), 'base64')).toHaveLength(32);
  });

  it("signs a job's webhook so standardwebhooks accepts it, alongside switchboard's own header", async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    await h.addFaceswapAccount();
    const response = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'me', image: png(1), replyUrl: receiver.url, replyRef: 'r1' }) });
    expect(response.status).toBe(200);
    const job = await response.json();
    await receiver.waitFor(1);
    const [hook] = receiver.received;
    expect(verifyStandard(secrets.standardWebhooks.secret, hook!)).toMatchObject({ jobid: job.jobid, status: 'completed', replyRef: 'r1' });
    expect(verifySignature(secrets.secret, hook!.body, hook!.headers[SIGNATURE_HEADER] as string, Math.floor(Date.now() / 1000))).toBe(true);
    expect(hook!.headers['webhook-id']).toBe(hook!.headers['x-switchboard-delivery']);
    // A tampered body is refused by the library.
    expect(() => verifyStandard(secrets.standardWebhooks.secret, { ...hook!, body: hook!.body.replace('completed', 'failed') })).toThrow();
    expect(() => verifyStandard(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, hook!)).toThrow();
  });

  it('sends a failed delivery again on redeliver, with the same webhook-id', async () => {
    receiver = new WebhookReceiver();
    receiver.status = 500;
    await receiver.start();
    const job = await (await h.call('POST', '/v1/faceswap/listid', { form: form({ replyUrl: receiver.url }) })).json();
    let log: { id: string; status: string; attempts: number }[] = [];
    await waitUntil(async () => {
      log = await (await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(job.jobid)}`)).json();
      return log[0]?.status === 'failed';
    }, 20_000, 'the delivery to fail');
    expect(log[0]!.attempts).toBe(2);
    expect(receiver.received).toHaveLength(0);

    receiver.status = 200;
    const redeliver = await h.call('POST', `/v1/webhooks/deliveries/${log[0]!.id}/redeliver`);
    expect(redeliver.status).toBe(202);
    expect(await redeliver.json()).toMatchObject({ id: log[0]!.id, jobid: job.jobid, status: 'pending' });
    await receiver.waitFor(1);
    const [hook] = receiver.received;
    expect(hook!.headers['webhook-id']).toBe(log[0]!.id);
    expect(hook!.headers['x-switchboard-attempt']).toBe('3');
    expect(verifyStandard(secrets.standardWebhooks.secret, hook!)).toMatchObject({ jobid: job.jobid });
    await waitUntil(async () => (await (await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(job.jobid)}`)).json())[0]?.status === 'delivered', 20_000, 'the log to say delivered');

    const unknown = await h.call('POST', '/v1/webhooks/deliveries/whk_nope/redeliver');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Unable to locate delivery whk_nope', code: 404 });
  });

  it('sets, reads and clears the alert URL, refusing what is not a URL', async () => {
    expect(await (await h.call('GET', '/v1/webhooks/alerts')).json()).toEqual({ url: null, deliveries: [] });
    for (const json of [{}, { url: '' }, { url: 'ftp://example.com/x' }, { url: 'not a url' }, []]) {
      const bad = await h.call('POST', '/v1/webhooks/alerts', { json });
      expect(bad.status, JSON.stringify(json)).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 400, error: expect.any(String) });
    }
    const set = await h.call('POST', '/v1/webhooks/alerts', { json: { url: 'https://alerts.example.com/sb' } });
    expect(set.status).toBe(200);
    expect((await (await h.call('GET', '/v1/webhooks/alerts')).json()).url).toBe('https://alerts.example.com/sb');
    expect((await h.call('DELETE', '/v1/webhooks/alerts')).status).toBe(204);
    expect((await (await h.call('GET', '/v1/webhooks/alerts')).json()).url).toBeNull();
  });

  it('alerts once, signed, when a token is revoked (measured against the 5 s promise), and again when it is back to active', async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    expect((await h.call('POST', '/v1/webhooks/alerts', { json: { url: receiver.url } })).status).toBe(200);
    const account = await h.addFaceswapAccount();
    // A finished command proves the account's Gateway session is up before the token goes.
    expect((await h.call('POST', '/v1/faceswap/listid', { form: form({ channel: account.channel }) })).status).toBe(200);

    const revokedAt = Date.now();
    h.sim.control.revokeToken(account.userId);
    await receiver.waitFor(1);
    const elapsedMs = Date.now() - revokedAt;
    const [alert] = receiver.received;
    const event = verifyStandard(secrets.standardWebhooks.secret, alert!) as Record<string, string>;
    expect(event).toMatchObject({ type: 'account.health_changed', bot: 'faceswap', channel: account.channel, from: 'active', to: 'auth_failed', reason: 'token_rejected' });
    expect(Date.parse(event.at!)).toBeGreaterThanOrEqual(revokedAt - 1000);
    expect(alert!.headers['x-switchboard-event']).toBe('account.health_changed');
    // The product promise is 5 s; a loaded 2-core machine gets a generous bound here.
    console.log(`alert after revocation: ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThan(15_000);

    h.sim.control.restoreToken(account.userId);
    await receiver.waitFor(2);
    const back = verifyStandard(secrets.standardWebhooks.secret, receiver.received[1]!);
    expect(back).toMatchObject({ type: 'account.health_changed', channel: account.channel, from: 'auth_failed', to: 'active' });
    // Exactly one alert per change: nothing else arrives while the account stays active.
    const listed = await (await h.call('GET', '/v1/webhooks/alerts')).json();
    expect(listed.deliveries.map((d: { type: string; status: string }) => [d.type, d.status])).toEqual([
      ['account.health_changed', 'delivered'],
      ['account.health_changed', 'delivered'],
    ]);
    expect(receiver.received).toHaveLength(2);
  });
});
