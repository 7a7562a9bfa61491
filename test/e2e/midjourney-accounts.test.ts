/**
 * `POST /v2/account/midjourney` end to end (useapi's August 2025 form): switchboard finds the
 * account's DM channel with the Midjourney bot from the token alone — the existing DM, or one it
 * opens — with the account's own client identity and through its proxy, then saves the account as
 * `POST …/{channel}` would. Discord's refusals and failures are 4xx envelopes; nothing is saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { deadPort, startHttpProxy, type TestProxy } from '../support/proxy-server.ts';
import { waitUntil } from '../support/wait.ts';

/** The fields one browser states the same way everywhere (the simulator's fingerprint judge compares them too). */
const PROFILE_FIELDS = ['os', 'browser', 'browser_user_agent', 'browser_version', 'system_locale', 'client_build_number', 'release_channel'];

/** The headers of the first request through `proxy` with this method and path end that carries `token`. */
function requestHeaders(proxy: TestProxy, method: string, pathEnd: string, token: string): Record<string, string> {
  // Request heads anywhere in the tunnelled bytes (a body runs straight into the next request line).
  for (const m of proxy.sent().matchAll(/(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g)) {
    if (m[1] !== method || !m[2]!.endsWith(pathEnd)) continue;
    const headers = Object.fromEntries(m[3]!.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    if (headers.authorization === token) return headers;
  }
  throw new Error(`no ${method} …${pathEnd} through the proxy`);
}

const superProperties = (headers: Record<string, string>) => JSON.parse(Buffer.from(headers['x-super-properties']!, 'base64').toString('utf8')) as Record<string, unknown>;
const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

describe('POST /v2/account/midjourney: the DM channel found from the token', () => {
  let h: Harness;
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startHttpProxy({ username: 'alice', password: 's3cret' });
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  const discover = (json: unknown) => h.call('POST', '/v2/account/midjourney', { json });
  const listed = async () => {
    const response = await h.call('GET', '/v2/account/midjourney');
    return response.status === 404 ? {} : ((await response.json()) as Record<string, unknown>);
  };

  it('finds the existing DM with the bot, answers useapi’s shape, and the account runs an imagine', async () => {
    const account = h.sim.control.midjourney.createAccount();
    const created = await discover({ discord: account.user.token });
    const body = await created.json();
    expect(created.status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({ discord: `<${account.user.token.slice(0, 3)}…secured…${account.user.token.slice(-3)}>`, channel: account.channelId, maxJobs: 3 });
    expect(JSON.stringify(body)).not.toContain(account.user.token);
    expect(await (await h.call('GET', `/v2/account/midjourney/${account.channelId}`)).json()).toMatchObject({ channel: account.channelId, maxJobs: 3 });

    const imagine = await h.call('POST', '/v2/jobs/imagine', { json: { prompt: 'a discovered fox', channel: account.channelId } });
    const started = await imagine.json();
    expect(imagine.status, JSON.stringify(started)).toBe(200);
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(started.jobid)}`)).json();
      return !['created', 'started', 'progress'].includes(job.status);
    }, 30_000, 'the imagine to end');
    expect(job).toMatchObject({ status: 'completed', channel: account.channelId, buttons: expect.arrayContaining(['U1', 'V1']) });

    // The same token again updates the same account (200), here with a maxJobs of its own.
    const updated = await discover({ discord: account.user.token, maxJobs: 5 });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ channel: account.channelId, maxJobs: 5 });
    expect(await (await h.call('GET', `/v2/account/midjourney/${account.channelId}`)).json()).toMatchObject({ maxJobs: 5 });
    expect((await h.call('DELETE', `/v2/account/midjourney/${account.channelId}`)).status).toBe(204);
  });

  it('opens the DM when the account has none yet, with the account’s client identity and through its proxy', async () => {
    const user = h.sim.control.createUser();
    const response = await discover({ discord: user.token, proxy: proxy.url });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(201);
    // The simulator's DM between the user and the bot is the one switchboard opened (openDm returns it, creating none).
    expect(body.channel).toBe(h.sim.control.midjourney.openDm(user.id));

    // Listing, opening and the save's verification all went through the account's proxy …
    expect(proxy.count('/users/@me/channels HTTP/1.1')).toBeGreaterThanOrEqual(2);
    const listing = requestHeaders(proxy, 'GET', '/users/@me/channels', user.token);
    const opening = requestHeaders(proxy, 'POST', '/users/@me/channels', user.token);
    const verifying = requestHeaders(proxy, 'GET', '/users/@me', user.token);
    // … as the same browser that verifies the account and that its Gateway session identifies as.
    for (const headers of [listing, opening]) {
      expect(headers['user-agent']).toBe(verifying['user-agent']);
      expect(headers['x-discord-locale']).toBe(verifying['x-discord-locale']);
      expect(headers['sec-ch-ua']).toBe(verifying['sec-ch-ua']);
      expect(pick(superProperties(headers), PROFILE_FIELDS)).toEqual(pick(superProperties(verifying), PROFILE_FIELDS));
    }
    await waitUntil(() => h.sim.control.connectedSessions(user.id) === 1, 30_000, 'the account’s Gateway session');
    const seen = h.sim.control.report().fingerprints[user.id]!;
    expect(pick(superProperties(listing), PROFILE_FIELDS)).toEqual(pick(seen.gateway!.properties, PROFILE_FIELDS));
    expect(listing['user-agent']).toBe(seen.gateway!.upgradeHeaders['user-agent']);
    expect(h.sim.control.report().fingerprintViolations.filter((v) => v.userId === user.id)).toEqual([]);
    expect((await h.call('DELETE', `/v2/account/midjourney/${body.channel}`)).status).toBe(204);
  });

  it('answers a token Discord rejects with a 400 envelope and saves nothing', async () => {
    const before = await listed();
    const response = await discover({ discord: 'not-a-token-discord-knows' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'Discord rejected the discord token (401 Unauthorized)', code: 400 });
    expect(await listed()).toEqual(before);
  });

  it('answers useapi’s texts for a missing token and maxJobs out of range, and refuses a body that is not an object', async () => {
    expect(await (await discover({ maxJobs: 3 })).json()).toMatchObject({ error: 'Required param discord is missing or empty', code: 400 });
    const user = h.sim.control.createUser();
    expect(await (await discover({ discord: user.token, maxJobs: 16 })).json()).toMatchObject({ error: "Required param maxJobs 16 can't be more that 15", code: 400 });
    const text = await h.call('POST', '/v2/account/midjourney', { json: ['x'] });
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ code: 400 });
  });

  it('answers a proxy that refuses with a 400 that names it masked, and saves nothing', async () => {
    const account = h.sim.control.midjourney.createAccount();
    const dead = `socks5://bob:hunter2@127.0.0.1:${await deadPort()}`;
    const response = await discover({ discord: account.user.token, proxy: dead });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.error).toMatch(/^Could not reach Discord through proxy socks5:\/\/bob:\*\*\*\*@127\.0\.0\.1:\d+/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(JSON.stringify(body)).not.toContain(account.user.token);
    expect(await listed()).not.toHaveProperty(account.channelId);
  });

  it('refuses a channel in the body that is not the one found', async () => {
    const account = h.sim.control.midjourney.createAccount();
    const other = h.sim.control.midjourney.createAccount();
    const response = await discover({ discord: account.user.token, channel: other.channelId });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe(`Required param channel (${other.channelId}) is not the channel found for this discord token (${account.channelId})`);
  });
});
