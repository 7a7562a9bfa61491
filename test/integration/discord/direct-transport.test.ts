import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAccountClient, DiscordApiError, directTransport, RestClient, type AccountSignal } from '../../../src/discord/index.ts';
import { healthEventFromError } from '../../../src/accounts/health.ts';
import { waitUntil } from '../../support/wait.ts';

const TOKEN = 'user-token-abc.def.ghi';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP server standing in for Discord: each test says how it answers. */
let server: http.Server;
let base: string;
let answer: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      answer(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api/v9`;
});

afterEach(() => {
  seen.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The default (unproxied) account client, tuned for tests: no pacing, no retries unless asked. */
function account(rest: ConstructorParameters<typeof DiscordAccountClient>[0]['rest'] = {}, apiUrl = base): DiscordAccountClient {
  return new DiscordAccountClient({ token: TOKEN, apiUrl, rest: { minIntervalMs: 0, routeIntervalsMs: {}, retryBaseMs: 5, networkRetries: 0, ...rest } });
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

async function failure(promise: Promise<unknown>): Promise<DiscordApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiscordApiError);
  return error as DiscordApiError;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the direct transport sends REST calls over undici.request', () => {
  it('puts the browser headers on the wire in the profile order, with the token and the encodings it can decode', async () => {
    answer = (_req, res) => sendJson(res, 200, { id: '42' });
    const client = account();
    await client.rest.post('/interactions', { type: 2 });
    const request = seen[0]!;
    const expected: Record<string, string> = { ...client.identity.restHeaders(), 'Authorization': TOKEN, 'Content-Type': 'application/json' };
    for (const [name, value] of Object.entries(expected)) expect(request.headers[name.toLowerCase()], name).toBe(value);
    // What fetch put on the wire besides (keep-alive, compressed answers), with br now that we decode it.
    expect(request.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(request.headers.connection).toBe('keep-alive');
    expect(request.headers['content-length']).toBe(String(request.body.length));
    expect(JSON.parse(request.body)).toEqual({ type: 2 });
    // The browser headers in the order (and spelling) the profile gives them, as fetch sent them.
    const names = request.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names.filter((n) => n in expected)).toEqual(Object.keys(expected));
  });

  it('decodes gzip, deflate (zlib-wrapped and raw) and br answers, and leaves an unencoded one alone', async () => {
    const body = { id: '1', content: 'é'.repeat(50_000), embeds: [{ title: 'x' }] };
    const json = Buffer.from(JSON.stringify(body));
    const encoded: Record<string, Buffer> = {
      'gzip': zlib.gzipSync(json),
      'deflate': zlib.deflateSync(json),
      'raw-deflate': zlib.deflateRawSync(json),
      'br': zlib.brotliCompressSync(json),
      'identity': json,
    };
    answer = (req, res) => {
      const name = req.url!.split('/').pop()!;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': name === 'raw-deflate' ? 'deflate' : name });
      res.end(encoded[name]);
    };
    const client = account();
    for (const name of Object.keys(encoded)) expect(await client.rest.get(`/encoded/${name}`), name).toEqual(body);
  });

  it('still reads a 429 from its headers: retry-after and x-ratelimit-global, then waits it out', async () => {
    let calls = 0;
    answer = (_req, res) => {
      // No retry_after in the (compressed) body: the wait can only come from the header.
      if (calls++ === 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'retry-after': '0.05', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' });
        return void res.end(zlib.gzipSync(JSON.stringify({ message: 'You are being rate limited.' })));
      }
      sendJson(res, 200, { id: '7' }, { 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '0.1' });
    };
    const client = account();
    const signals: AccountSignal[] = [];
    client.on('signal', (s) => signals.push(s));
    expect(await client.getChannel('7')).toEqual({ id: '7' });
    expect(signals.find((s) => s.type === 'rate_limited')).toEqual({ type: 'rate_limited', retryAfterMs: 50, global: true });
    expect(seen).toHaveLength(2);
  });

  it('fails a 429 longer than the client waits as rate_limited with the header wait', async () => {
    answer = (_req, res) => sendJson(res, 429, { message: 'You are being rate limited.' }, { 'retry-after': '30' });
    const error = await failure(account({ maxRateLimitWaitMs: 1_000 }).getChannel('7'));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 30_000 });
  });

  it('fails a refused connection exactly as it failed over fetch: a network error naming ECONNREFUSED', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/api/v9`;
    const before = await failure(new RestClient({ token: TOKEN, apiUrl, fetch: (input, init) => fetch(input, init), networkRetries: 0, minIntervalMs: 0 }).get('/users/@me'));
    const now = await failure(account({}, apiUrl).probe());
    expect(now).toMatchObject({ kind: 'network', status: 0, retry: true });
    expect(now.message).toBe(before.message);
    expect(now.message).toContain('(ECONNREFUSED)');
    expect(now.cause).toBeInstanceOf(TypeError);
    expect((now.cause as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect(healthEventFromError(now)).toEqual(healthEventFromError(before));
  });

  it('gives up on a silent server after the request timeout, as a network error that says so', async () => {
    answer = () => {}; // never answers
    const error = await failure(account({ requestTimeoutMs: 300 }).getChannel('1'));
    expect(error).toMatchObject({ kind: 'network', status: 0 });
    expect(error.message).toContain('request timed out');
  });

  it("stops at the caller's abort, with the caller's reason", async () => {
    answer = () => {};
    const controller = new AbortController();
    const call = account().getChannel('1', controller.signal);
    await waitUntil(() => seen.length === 1, 10_000, 'the request reaching the server');
    const reason = new Error('job cancelled');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    answer = (req, res) => {
      if (req.url!.endsWith('/moved')) return sendJson(res, 200, { id: 'elsewhere' });
      res.writeHead(302, { location: `${base}/moved` });
      res.end();
    };
    const error = await failure(account().getChannel('1'));
    expect(error).toMatchObject({ kind: 'bad_request', status: 302 });
    expect(seen.map((s) => s.url)).toEqual(['/api/v9/channels/1']);
  });

  it('leaves requests that may follow redirects (downloads) to fetch, which follows them', async () => {
    answer = (req, res) => {
      if (req.url!.endsWith('/final.png')) return void res.end('png');
      res.writeHead(302, { location: `${base}/final.png` });
      res.end();
    };
    const response = await directTransport.fetch(`${base}/start.png`, {});
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('png');
  });

  it("fails an account's download that redirects: the address policy checked only the first URL", async () => {
    answer = (req, res) => {
      if (req.url!.endsWith('/final.png')) return void res.end('png');
      res.writeHead(302, { location: `${base}/final.png` });
      res.end();
    };
    await expect(account().download(`${base}/start.png`)).rejects.toThrow();
    expect(seen.map((s) => s.url)).toEqual(['/api/v9/start.png']); // never went where it pointed
    // A direct answer downloads as before.
    const response = await account().download(`${base}/final.png`);
    expect(await response.text()).toBe('png');
  });
});
