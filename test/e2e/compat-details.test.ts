/**
 * Compatibility details: a 429 whose wait is known carries `Retry-After`; `results[].url` is
 * absolute; an account's optional default `replyUrl` is used by calls that bring none.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

describe('compatibility details', () => {
  let h: Harness;
  let receiver: WebhookReceiver | undefined;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
  });

  it('answers a call on a cooling-down account with 429 and Retry-After in seconds', async () => {
    const pika = await h.addPikaAccount(2);
    const account = (await h.services.store.accounts.listAll()).find((a) => a.channel === pika.channel)!;
    const now = Date.now();
    // Discord asked this account to wait 90 s (set as the health monitor would).
    await h.services.store.accounts.setHealth(account.id, { state: 'cooling_down', reason: 'rate_limited', detail: null, failures: 1, since: now, until: now + 90_000, nextProbeAt: now + 90_000 }, now);
    const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'waits', channel: pika.channel }) });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(80);
    expect(retryAfter).toBeLessThanOrEqual(90);
    expect(await response.json()).toMatchObject({ code: 429, error: expect.stringContaining('cooling down') });
    await h.services.store.accounts.setHealth(account.id, { state: 'active', reason: 'probe_ok', detail: null, failures: 0, since: now, until: null, nextProbeAt: null }, now);
  });

  it('lists retained results under absolute URLs that download with the token', async () => {
    const account = await h.addFaceswapAccount();
    const job = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ channel: account.channel, source_image: png(1), target_image_gif_or_video: png(2) }) })).json();
    expect(job.status).toBe('completed');
    expect(job.results?.length).toBeGreaterThan(0);
    const url = job.results[0].url as string;
    expect(url).toMatch(new RegExp(`^${h.url.replace(/[.]/g, '\\.')}/v1/results/`));
    const polled = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(job.jobid)}`)).json();
    expect(polled.results[0].url).toBe(url);
    const file = await fetch(url, { headers: { authorization: `Bearer ${h.token}` } });
    expect(file.status).toBe(200);
  });

  it("uses an account's default replyUrl for calls without one, and shows it with the account", async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const sim = h.sim.control.createPikaAccount();
    const bad = await h.call('POST', `/v1/pika/account/${sim.channelId}`, { json: { discord: sim.user.token, channel: sim.channelId, maxJobs: 2, replyUrl: 'ftp://example.com/x' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 400, error: 'replyUrl must use http or https' });
    const saved = await h.call('POST', `/v1/pika/account/${sim.channelId}`, { json: { discord: sim.user.token, channel: sim.channelId, maxJobs: 2, replyUrl: receiver.url } });
    expect(saved.status).toBe(204);
    expect(await (await h.call('GET', `/v1/pika/account/${sim.channelId}`)).json()).toMatchObject({ channel: sim.channelId, maxJobs: 2, replyUrl: receiver.url });

    const job = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'default hook', channel: sim.channelId }) })).json();
    expect(job.replyUrl).toBe(receiver.url);
    await receiver.waitFor(1);
    const delivered = JSON.parse(receiver.received[0]!.body);
    expect(delivered).toMatchObject({ jobid: job.jobid, status: 'completed' });
    // Webhooks carry absolute result URLs too (here: where the server listens).
    expect(delivered.results[0].url).toBe(`${h.url}/v1/results/${encodeURIComponent(job.jobid)}/0`);
  });
});
