/**
 * Rate limits over HTTP against the simulator: the per-token request limit, the stricter budget
 * for calls that reach Discord for the caller, and the server-wide ceiling on Discord calls that
 * fail authentication — each a 429 in the useapi envelope with Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { form, startHarness, type Harness } from '../support/harness.ts';

describe('rate limits', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const expect429 = async (response: Response, error: RegExp) => {
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const body = await response.json();
    expect(body).toMatchObject({ code: 429, error: expect.stringMatching(error) });
  };

  it('limits requests per API token, leaving other tokens alone', async () => {
    h = await startHarness({ env: { SWITCHBOARD_RATE_LIMIT: '5' } });
    for (let i = 0; i < 5; i++) expect((await h.call('GET', '/v1/pika/jobs')).status).toBe(200);
    await expect429(await h.call('GET', '/v1/pika/jobs'), /Too many requests for this API token/);
    const other = (await issueApiToken(h.services.store, 'other')).token;
    expect((await h.call('GET', '/v1/pika/jobs', { token: other })).status).toBe(200);
  });

  it('gives calls that reach Discord for the caller a stricter budget', async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 }, env: { SWITCHBOARD_DISCORD_RATE_LIMIT: '2' } });
    await h.addPikaAccount(2);
    await h.addPikaAccount(2);
    const third = h.sim.control.createPikaAccount();
    await expect429(await h.call('POST', `/v1/pika/account/${third.channelId}`, { json: { discord: third.user.token, channel: third.channelId, maxJobs: 2 } }), /reach Discord/);
    // Bring-your-own calls spend the same budget.
    await expect429(await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'x', discord: third.user.token, channel: third.channelId }) }), /reach Discord/);
    // Ordinary calls are not affected.
    expect((await h.call('GET', '/v1/pika/account')).status).toBe(200);
  });

  it('pauses calls that check new Discord tokens for everyone once authentication failures reach the ceiling', async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 }, env: { SWITCHBOARD_AUTH_FAILURE_LIMIT: '3' } });
    const tenants = [h.token, (await issueApiToken(h.services.store, 'b')).token];
    const account = h.sim.control.createPikaAccount();
    for (let i = 0; i < 3; i++) {
      const response = await h.call('POST', `/v1/pika/account/${account.channelId}`, { token: tenants[i % 2], json: { discord: `invalid-token-${i}-xxxxxxxx`, channel: account.channelId, maxJobs: 2 } });
      expect(response.status).toBe(400);
    }
    for (const token of tenants) {
      await expect429(await h.call('POST', `/v1/pika/account/${account.channelId}`, { token, json: { discord: 'invalid-token-more-xxxxxxxx', channel: account.channelId, maxJobs: 2 } }), /authentication failures/);
    }
  });

  it('refuses a job over the tenant cap on jobs waiting or running, and takes one again when a place frees', async () => {
    // The bot takes 5 s per step: the first job stays running (and the others queued) throughout.
    h = await startHarness({ simulator: { botLatencyMs: 5_000, interactionTimeoutMs: 60_000 }, env: { SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT: '3', SWITCHBOARD_QUEUE_LIMIT: '10' } });
    await h.addPikaAccount(1);
    const jobids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: `job ${i}` }) });
      expect(response.status).toBe(200);
      jobids.push((await response.json()).jobid);
    }
    const refused = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'one too many' }) });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 429, error: expect.stringMatching(/Too many jobs waiting or running for this API token \(at most 3\)/) });
    // Another tenant is not affected.
    const other = (await issueApiToken(h.services.store, 'other')).token;
    expect((await h.call('GET', '/v1/pika/jobs', { token: other })).status).toBe(200);
    // A queued job cancelled frees its place under the cap.
    expect((await h.call('GET', `/v1/pika/jobs/cancel/?jobid=${encodeURIComponent(jobids[2]!)}`)).status).toBe(200);
    expect((await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'room again' }) })).status).toBe(200);
  });
});
