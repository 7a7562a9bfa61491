/**
 * Every request answered, none held forever, over real sockets: oversized multipart bodies are
 * refused while streaming (per file and per request) with a 413 that Node's fetch, curl and Python
 * requests all read; malformed multipart, repeated query parameters and repeated Authorization
 * headers are 400s; slow-header and slow-body connections are cut; the connection cap holds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const BOUNDARY = 'switchboard-test-boundary';

/** A streamed multipart body of `files` file parts of `fileBytes` each, generated chunk by chunk. */
function multipartStream(files: number, fileBytes: number, extraFields: Record<string, string> = {}): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  async function* generate() {
    for (const [name, value] of Object.entries(extraFields)) {
      yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    }
    for (let f = 0; f < files; f++) {
      yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file${f}"; filename="f${f}.png"\r\nContent-Type: image/png\r\n\r\n`);
      for (let sent = 0; sent < fileBytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, fileBytes - sent));
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${BOUNDARY}--\r\n`);
  }
  return Readable.from(generate(), { objectMode: false });
}

/** POSTs a streamed (chunked, no Content-Length) multipart body; resolves with status and body. */
function postStreamed(url: string, token: string, body: Readable): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/faceswap/saveid`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d: string) => (text += d));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    body.pipe(request);
  });
}

/** Resolves when the socket closes; `received` is whatever the server wrote before closing. */
function whenClosed(socket: net.Socket): Promise<{ received: string }> {
  let received = '';
  socket.on('data', (d) => (received += d.toString('latin1')));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('close', () => resolve({ received })));
}

function connect(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('hostile input over HTTP', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    token = await server.newToken();
  });
  afterAll(() => server.close());

  const expectEnvelope = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: string; code: number };
    expect(body.code).toBe(status);
    expect(typeof body.error).toBe('string');
    return body;
  };

  it('answers a multipart body without a boundary with 400 on every command route', async () => {
    for (const provider of server.services.providers.all) {
      for (const command of provider.commands) {
        const response = await server.call(command.method, `/v1/${provider.name}/${command.name}`, { token, headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
        const body = await expectEnvelope(response, 400);
        expect(body.error).toMatch(/boundary/);
      }
    }
  });

  it('answers a truncated multipart body with 400', async () => {
    const response = await server.call('POST', '/v1/faceswap/saveid', {
      token,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="idname"\r\n\r\nabc`,
    });
    await expectEnvelope(response, 400);
  });

  it('answers repeated query parameters with 400 on every route that reads one', async () => {
    for (const provider of server.services.providers.all) {
      for (const route of [`/v1/${provider.name}/jobs/?jobid=a&jobid=b`, `/v1/${provider.name}/jobs/cancel/?jobid=a&jobid=b`]) {
        const body = await expectEnvelope(await server.call('GET', route, { token }), 400);
        expect(body.error).toMatch(/jobid/);
      }
    }
  });

  it('answers a duplicated Authorization header with 400', async () => {
    const socket = await connect(server.url);
    const closed = whenClosed(socket);
    socket.write(`GET /v1/faceswap/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer other\r\nConnection: close\r\n\r\n`);
    const { received } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toContain('"code":400');
    expect(received).toMatch(/Authorization header was given more than once/);
  });

  it('refuses a streamed file over the per-file limit with 413, readable by Node', async () => {
    const response = await postStreamed(server.url, token, multipartStream(1, 40 * MiB, { idname: 'abc' }));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: 413, error: expect.stringMatching(/per file/) });
  });

  it('refuses a streamed request over the per-request limit with 413, readable by Node', async () => {
    const response = await postStreamed(server.url, token, multipartStream(5, 9 * MiB, { idname: 'abc' }));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: 413, error: expect.stringMatching(/Request body is too large/) });
  });

  it('keeps memory flat under three concurrent oversized uploads', async () => {
    // A generous bound: before the streaming limits each such request held ~100 MiB. bench/ measures precisely.
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const results = await Promise.all([0, 1, 2].map(() => postStreamed(server.url, token, multipartStream(10, 9.5 * MiB, { idname: 'abc' }))));
    clearInterval(sampler);
    for (const r of results) expect(r.status).toBe(413);
    expect(peak - before).toBeLessThan(200 * MiB);
  });

  it("lets Node's fetch read the 413 for an oversized JSON and multipart body", async () => {
    const json = await fetch(`${server.url}/v1/faceswap/account/1100000000000000001`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new Uint8Array(48 * MiB),
    });
    await expectEnvelope(json, 413);
    const form = new FormData();
    form.append('idname', 'abc');
    for (let i = 0; i < 4; i++) form.append(`f${i}`, new Blob([new Uint8Array(9 * MiB)]), `f${i}.png`);
    await expectEnvelope(await fetch(`${server.url}/v1/faceswap/saveid`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }), 413);
    const unauthenticated = await fetch(`${server.url}/v1/faceswap/saveid`, { method: 'POST', body: form });
    await expectEnvelope(unauthenticated, 401);
  });

  it('lets curl and Python requests read the 413 for an oversized upload', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-upload-'));
    const file = path.join(dir, 'big.png');
    fs.writeFileSync(file, Buffer.alloc(40 * MiB, 1));
    try {
      const curl = await run('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '-H', `Authorization: Bearer ${token}`, '-F', 'idname=abc', '-F', `image=@${file}`, `${server.url}/v1/faceswap/saveid`]);
      const [curlBody, curlStatus] = curl.stdout.trim().split('\n');
      expect(curlStatus).toBe('413');
      expect(JSON.parse(curlBody!)).toMatchObject({ code: 413 });
      const script = [
        'import requests, sys',
        `r = requests.post(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]}, data={"idname": "abc"}, files={"image": open(sys.argv[3], "rb")})`,
        'print(r.status_code); print(r.text)',
      ].join('\n');
      const python = await run(process.env.SEED_PYTHON ?? 'python3', ['-c', script, `${server.url}/v1/faceswap/saveid`, token, file]).catch((error: { stderr?: string; message: string }) => {
        // Without Python requests on the machine this half cannot run; say so rather than pass silently.
        if (/No module named/.test(error.stderr ?? '') && !process.env.CI) return undefined;
        throw error;
      });
      if (python) {
        const [status, body] = python.stdout.trim().split('\n');
        expect(status).toBe('413');
        expect(JSON.parse(body!)).toMatchObject({ code: 413 });
      } else console.warn('[tests] python3 with requests is not installed: skipped that client');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connection timeouts and cap', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      SWITCHBOARD_HEADERS_TIMEOUT_MS: '1000',
      SWITCHBOARD_REQUEST_TIMEOUT_MS: '2000',
      SWITCHBOARD_IDLE_TIMEOUT_MS: '1500',
      SWITCHBOARD_MAX_CONNECTIONS: '8',
    });
  });
  afterAll(() => server.close());

  it('cuts a connection that sends its headers too slowly', async () => {
    const socket = await connect(server.url);
    const closed = whenClosed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    const started = Date.now();
    await closed;
    clearInterval(drip);
    // Cut by the headers timeout, not merely by the idle timeout (the drip keeps it busy).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('cuts a connection that sends its body too slowly', async () => {
    const socket = await connect(server.url);
    const closed = whenClosed(socket);
    socket.write('POST /v1/faceswap/account/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    const started = Date.now();
    await closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('closes a connection that says nothing', async () => {
    const socket = await connect(server.url);
    await whenClosed(socket);
  });

  it('refuses connections beyond the cap and serves again once they close', async () => {
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) held.push(await connect(server.url));
      await waitUntil(async () => (await new Promise<number>((r) => server.app.server.getConnections((_e, n) => r(n)))) >= 8, 10_000, 'eight connections');
      const extra = await connect(server.url);
      const extraClosed = whenClosed(extra);
      extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const { received } = await extraClosed;
      expect(received).toBe('');
    } finally {
      held.forEach((s) => s.destroy());
    }
    await waitUntil(async () => (await fetch(`${server.url}/healthz`).then((r) => r.status).catch(() => 0)) === 200, 10_000, 'served again');
  });
});
