import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { Rest } from './helpers.ts';

describe('simulator rate limits and faults', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 13, rateLimit: { perToken: { limit: 2, windowMs: 300 }, global: { limit: 4, windowMs: 300 } } });
  });
  afterAll(() => sim.close());

  function client() {
    const user = sim.control.createUser();
    const rest = new Rest(sim.apiUrl, user.token);
    rest.retryRateLimits = false;
    return { user, rest };
  }

  it('answers 429 with Retry-After, scope and a float retry_after once a route budget is spent', async () => {
    const { rest } = client();
    expect((await rest.request('GET', '/users/@me')).status).toBe(200);
    expect((await rest.request('GET', '/users/@me')).status).toBe(200);
    const limited = await rest.request('GET', '/users/@me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(limited.headers.get('x-ratelimit-global')).toBeNull();
    const body = (await limited.json()) as any;
    expect(body).toEqual({ message: 'You are being rate limited.', retry_after: expect.any(Number), global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(0.3);
  });

  it('records a request sent before the announced deadline as a violation, and none after waiting', async () => {
    const { user, rest } = client();
    await rest.request('GET', '/users/@me');
    await rest.request('GET', '/users/@me');
    const limited = await rest.request('GET', '/users/@me');
    const { retry_after } = (await limited.json()) as any;
    expect((await rest.request('GET', '/users/@me')).status).toBe(429);
    expect(sim.control.report().rateLimitViolations.filter((v) => v.userId === user.id)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, retry_after * 1000));
    expect((await rest.request('GET', '/users/@me')).status).toBe(200);
    expect(sim.control.report().rateLimitViolations.filter((v) => v.userId === user.id)).toHaveLength(1);
  });

  it('answers the per-token budget across routes as a global limit', async () => {
    const { rest } = client();
    const paths = ['/users/@me', '/users/@me', '/users/@me/channels', '/users/@me/channels', '/users/@me/guilds'];
    const statuses = [];
    let last: Response | undefined;
    for (const path of paths) statuses.push((last = await rest.request('GET', path)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(last!.headers.get('x-ratelimit-global')).toBe('true');
    expect(last!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(((await last!.json()) as any).global).toBe(true);
  });

  it('injects a 429 for the next matching request only', async () => {
    const { user, rest } = client();
    sim.control.injectRestFault(user.id, { kind: 'rate-limit', retryAfterMs: 1500 }, 1, { method: 'POST', path: '/channels' });
    expect((await rest.request('GET', '/users/@me')).status).toBe(200);
    const limited = await rest.request('POST', '/users/@me/channels', { recipients: [sim.control.pikaApplicationId] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(((await limited.json()) as any).retry_after).toBe(1.5);
  });

  it('injects 5xx, captcha, verification, anti-abuse and unauthorized faults in order', async () => {
    const { user, rest } = client();
    rest.retryRateLimits = true; // this suite's budget is tiny; wait out its 429s like a client would
    sim.control.injectRestFault(user.id, { kind: 'server-error', status: 503 });
    sim.control.injectRestFault(user.id, { kind: 'captcha' });
    sim.control.injectRestFault(user.id, { kind: 'verification-required' });
    sim.control.injectRestFault(user.id, { kind: 'anti-abuse' });
    sim.control.injectRestFault(user.id, { kind: 'unauthorized' });
    const seen: [number, any][] = [];
    for (let i = 0; i < 6; i++) {
      const response = await rest.request('GET', '/users/@me');
      seen.push([response.status, await response.json()]);
    }
    expect(seen[0]![0]).toBe(503);
    expect(seen[1]![0]).toBe(400);
    expect(seen[1]![1]).toMatchObject({ captcha_key: expect.any(Array), captcha_service: 'hcaptcha', captcha_sitekey: expect.any(String) });
    expect(seen[2]).toEqual([403, { message: expect.stringContaining('verify your account'), code: 40002 }]);
    expect(seen[3]).toEqual([403, { message: 'Unknown Message', code: 10008 }]);
    expect(seen[4]).toEqual([401, { message: '401: Unauthorized', code: 0 }]);
    expect(seen[5]![0]).toBe(200);
  });

  it('exposes the same operations over the HTTP control API', async () => {
    const post = async (path: string, body: unknown = {}) => {
      const response = await fetch(`${sim.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as any) };
    };
    const info = (await (await fetch(sim.controlUrl)).json()) as any;
    expect(info).toMatchObject({ apiUrl: sim.apiUrl, gatewayUrl: sim.gatewayUrl, faceswapApplicationId: '1090660574196674713', pikaApplicationId: sim.control.pikaApplicationId });
    const account = (await post('/accounts/faceswap', { username: 'http' })).body;
    expect(account).toMatchObject({ user: { username: 'http', token: expect.any(String) }, guildId: expect.any(String), channelId: expect.any(String) });
    const pika = (await post('/accounts/pika')).body;
    expect(pika.applicationId).toBe(sim.control.pikaApplicationId);
    // One ready-made account per simulated bot, each a user whose token works, with the bot's channel.
    const demo = (await post('/accounts/demo')).body as { bot: string; user: { username: string; token: string }; channelId: string; guildId?: string; applicationId: string }[];
    expect(demo.map((a) => a.bot)).toEqual(['faceswap', 'pika', 'midjourney']);
    expect(demo.map((a) => a.user.username)).toEqual(['faceswap-demo', 'pika-demo', 'midjourney-demo']);
    expect(demo[0]).toMatchObject({ guildId: expect.any(String), applicationId: '1090660574196674713' });
    expect(demo[1]).toMatchObject({ applicationId: sim.control.pikaApplicationId });
    expect(demo[1]!.guildId).toBeUndefined();
    for (const a of demo) expect((await new Rest(sim.apiUrl, a.user.token).request('GET', `/channels/${a.channelId}`)).status).toBe(200);
    expect((await post(`/users/${account.user.id}/faults`, { fault: { kind: 'anti-abuse' }, count: 1 })).status).toBe(204);
    const rest = new Rest(sim.apiUrl, account.user.token);
    expect((await rest.request('GET', '/users/@me')).status).toBe(403);
    const credits = await fetch(`${sim.controlUrl}/users/${account.user.id}/credits`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ total: 200, used: 115 }) });
    expect(await credits.json()).toEqual({ total: 200, used: 115 });
    const bumped = await post('/bots/faceswap/commands/swapid/bump');
    expect(bumped.body.version).toBe(sim.control.listCommands('faceswap').find((c) => c.name === 'swapid')!.version);
    expect((await post('/users/nope/revoke')).status).toBe(404);
    expect((await post(`/users/${account.user.id}/faults`, { fault: { kind: 'meteor' } })).status).toBe(400);
    const report = (await (await fetch(`${sim.controlUrl}/report`)).json()) as any;
    expect(Object.keys(report).sort()).toEqual(['duplicateNonces', 'faceswapOverlaps', 'fingerprintViolations', 'fingerprints', 'interactions', 'rateLimitViolations', 'requests', 'staleVersions']);
  });
});
