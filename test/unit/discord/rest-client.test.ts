import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { DiscordAccountClient, DiscordApiError, RestClient, type FetchLike } from '../../../src/discord/index.ts';

const TOKEN = 'user-token-abc.def.ghi';

interface Call {
  url: string;
  at: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted transport: each call gets the next response; the last one repeats. */
function fakeFetch(responses: Array<() => Response>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  let i = 0;
  const fetch: FetchLike = async (url, init) => {
    calls.push({
      url,
      at: Date.now(),
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const make = responses[Math.min(i++, responses.length - 1)]!;
    return make();
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function client(fetch: FetchLike, extra: Partial<ConstructorParameters<typeof RestClient>[0]> = {}): RestClient {
  return new RestClient({ token: TOKEN, apiUrl: 'http://discord.test/api/v9', fetch, minIntervalMs: 0, routeIntervalsMs: {}, retryBaseMs: 5, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<DiscordApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DiscordApiError);
    return error as DiscordApiError;
  }
  throw new Error('expected the request to fail');
}

describe('the REST client', () => {
  it('sends the raw token and browser-like headers', async () => {
    const t = fakeFetch([json(200, { id: '1' })]);
    await client(t.fetch).get('/users/@me');
    const headers = t.calls[0]!.headers;
    expect(headers.Authorization).toBe(TOKEN);
    expect(headers['User-Agent']).toMatch(/Mozilla\/5\.0/);
    const props = JSON.parse(Buffer.from(headers['X-Super-Properties']!, 'base64').toString('utf8'));
    expect(props.browser_user_agent).toBe(headers['User-Agent']);
  });

  it('waits out retry_after of a 429 before sending anything else', async () => {
    const t = fakeFetch([
      json(429, { message: 'You are being rate limited.', retry_after: 0.12, global: false }, { 'retry-after': '1', 'x-ratelimit-scope': 'user' }),
      json(200, { ok: 1 }),
    ]);
    const rest = client(t.fetch);
    const [a, b] = await Promise.all([rest.get('/users/@me'), rest.get('/channels/1234567/messages')]);
    expect(a).toEqual({ ok: 1 });
    expect(b).toEqual({ ok: 1 });
    expect(t.calls).toHaveLength(3);
    // The 429 announced a deadline 120 ms after the first call: nothing may go out before it.
    expect(t.calls[1]!.at - t.calls[0]!.at).toBeGreaterThanOrEqual(120);
    expect(t.calls[2]!.at - t.calls[0]!.at).toBeGreaterThanOrEqual(120);
  });

  it('reports every 429 to its observer, also those it waits out', async () => {
    const seen: Array<{ retryAfterMs: number; global: boolean }> = [];
    const t = fakeFetch([json(429, { message: 'slow', retry_after: 0.05, global: false }), json(200, {})]);
    await client(t.fetch, { onRateLimited: ({ retryAfterMs, global }) => seen.push({ retryAfterMs, global }) }).get('/users/@me');
    expect(seen).toEqual([{ retryAfterMs: 50, global: false }]);
  });

  it('uses the Retry-After header when the body has no retry_after', async () => {
    const t = fakeFetch([json(429, { message: 'slow down' }, { 'retry-after': '0.1', 'x-ratelimit-global': 'true' }), json(200, {})]);
    await client(t.fetch).get('/users/@me');
    expect(t.calls[1]!.at - t.calls[0]!.at).toBeGreaterThanOrEqual(100);
  });

  it('fails fast with a rate_limited error when Discord asks for a longer wait than allowed', async () => {
    const t = fakeFetch([json(429, { message: 'slow', retry_after: 3600, global: true })]);
    const error = await failure(client(t.fetch, { maxRateLimitWaitMs: 1000 }).get('/users/@me'));
    expect(error.kind).toBe('rate_limited');
    expect(error.retry).toBe(true);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.global).toBe(true);
    // The next call does not even try: the deadline is known.
    const again = await failure(client(t.fetch, { maxRateLimitWaitMs: 1000 }).get('/users/@me'));
    expect(again.kind).toBe('rate_limited');
  });

  it('retries a 502 with backoff and gives up as server_error after the retries', async () => {
    const t = fakeFetch([json(502, { message: 'bad gateway', code: 0 })]);
    const error = await failure(client(t.fetch, { serverErrorRetries: 2 }).get('/users/@me'));
    expect(t.calls).toHaveLength(3);
    expect(error.kind).toBe('server_error');
    expect(error.retry).toBe(true);
    expect(error.status).toBe(502);
  });

  it('recovers when a 5xx is followed by success', async () => {
    const t = fakeFetch([json(503, { message: 'down' }), json(200, { id: '7' })]);
    await expect(client(t.fetch).get('/users/@me')).resolves.toEqual({ id: '7' });
  });

  it('retries lost connections and then reports a network error', async () => {
    const calls: number[] = [];
    const fetch: FetchLike = async () => {
      calls.push(Date.now());
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const error = await failure(client(fetch, { networkRetries: 1 }).get('/users/@me'));
    expect(calls).toHaveLength(2);
    expect(error.kind).toBe('network');
    expect(error.status).toBe(0);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it.each([
    [400, { captcha_key: ['captcha-required'], captcha_sitekey: 'x', captcha_service: 'hcaptcha' }, 'captcha'],
    [403, { message: 'You need to verify your account in order to perform this action.', code: 40002 }, 'verification_required'],
    [403, { message: 'Unknown Message', code: 10008 }, 'anti_abuse'],
    [404, { message: 'Unknown Message', code: 10008 }, 'unknown_message'],
    [401, { message: '401: Unauthorized', code: 0 }, 'unauthorized'],
    [403, { message: 'Missing Access', code: 50001 }, 'missing_access'],
    [404, { message: 'Unknown Channel', code: 10003 }, 'unknown_channel'],
    [400, { message: 'Invalid Form Body', code: 50035, errors: {} }, 'invalid_form'],
    [403, { message: 'internal network error', code: 40333 }, 'cloudflare_blocked'],
  ])('classifies a %s response %j as %s', async (status, body, kind) => {
    const t = fakeFetch([json(status, body)]);
    const error = await failure(client(t.fetch).post('/interactions', { type: 2 }));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.method).toBe('POST');
    expect(error.route).toBe('/interactions');
    expect(error.retry).toBe(false);
    expect(t.calls).toHaveLength(1);
  });

  it('never puts the token into error messages', async () => {
    const t = fakeFetch([json(401, { message: '401: Unauthorized', code: 0 })]);
    const error = await failure(client(t.fetch).get('/users/@me'));
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(TOKEN);
  });

  it('reads the nested codes of a 50035 form error', async () => {
    const body = { code: 50035, message: 'Invalid Form Body', errors: { data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION', message: 'stale' }] } } };
    const t = fakeFetch([json(400, body)]);
    const error = await failure(client(t.fetch).post('/interactions', {}));
    expect(error.formErrorCodes()).toEqual(['INTERACTION_APPLICATION_COMMAND_INVALID_VERSION']);
  });

  it('paces requests of one account', async () => {
    // A virtual clock: the pacing is the limiter's arithmetic, not how promptly a busy machine
    // runs timers (measured in wall time, a late first request made the gap look short).
    let now = 1_000;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const sentAt: number[] = [];
    const t = fakeFetch([json(200, {})]);
    const fetch: FetchLike = (url, init) => (sentAt.push(now), t.fetch(url, init));
    const rest = client(fetch, { minIntervalMs: 40, clock });
    await Promise.all([rest.get('/a'), rest.get('/b'), rest.get('/c')]);
    expect(sentAt).toEqual([1_000, 1_040, 1_080]);
  });

  it('reports final errors and successes to its observers', async () => {
    const seen: string[] = [];
    const t = fakeFetch([json(200, {}), json(401, { message: '401: Unauthorized', code: 0 })]);
    const rest = client(t.fetch, { onError: (e) => seen.push(e.kind), onSuccess: () => seen.push('ok') });
    await rest.get('/users/@me');
    await rest.get('/users/@me').catch(() => undefined);
    expect(seen).toEqual(['ok', 'unauthorized']);
  });

  it('keeps the token out of inspection output of its clients', () => {
    const account = new DiscordAccountClient({ token: TOKEN, apiUrl: 'http://discord.test/api/v9' });
    expect(inspect(account, { depth: 8 })).not.toContain(TOKEN);
    expect(inspect(client(fakeFetch([json(200, {})]).fetch), { depth: 8 })).not.toContain(TOKEN);
    expect(account.accountKey).toMatch(/^[0-9a-f]{16}$/);
  });
});
