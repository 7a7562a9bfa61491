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
});
