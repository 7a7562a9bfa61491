/**
 * Benchmark — the cost of the browser-TLS transport (`SWITCHBOARD_TLS=chrome`, wreq-js) next to
 * the plain one (Node's TLS through undici): a local HTTPS/1.1 server answering a small JSON body
 * and a local WSS echo server, behind a TCP tap that records every ClientHello. Both transports
 * run in alternating rounds in one process; each sends the profile's full REST headers, as the
 * client does. Reported: request latency, WebSocket connect and echo, the process's memory
 * growth, and what the ClientHello carries (the point of the exercise).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { chromeTransport, ClientIdentity, type Transport } from '../src/discord/index.ts';
import type { Benchmark, BenchContext } from './support/context.ts';
import { percentile, sum } from './support/stats.ts';
import type { Table } from './support/table.ts';

interface Hello {
  grease: boolean;
  ciphers: number;
  extensions: number;
  alps: boolean;
  certCompression: boolean;
  echGrease: boolean;
  pqKeyShare: boolean;
  alpn: string;
}

const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a;

/** Reads the fields of a TLS ClientHello that tell a browser from Node. */
function parseHello(buf: Buffer): Hello | undefined {
  try {
    let p = 5 + 4 + 2 + 32;
    p += 1 + buf[p]!;
    const cipherBytes = buf.readUInt16BE(p);
    p += 2;
    const ciphers: number[] = [];
    for (let i = 0; i < cipherBytes; i += 2) ciphers.push(buf.readUInt16BE(p + i));
    p += cipherBytes;
    p += 1 + buf[p]!;
    const end = p + 2 + buf.readUInt16BE(p);
    p += 2;
    const exts: number[] = [];
    const alpn: string[] = [];
    const groups: number[] = [];
    while (p + 4 <= end) {
      const type = buf.readUInt16BE(p);
      const data = buf.subarray(p + 4, p + 4 + buf.readUInt16BE(p + 2));
      exts.push(type);
      if (type === 16) for (let q = 2; q < data.length; q += 1 + data[q]!) alpn.push(data.subarray(q + 1, q + 1 + data[q]!).toString());
      if (type === 10) for (let q = 2; q < data.length; q += 2) groups.push(data.readUInt16BE(q));
      p += 4 + data.length;
    }
    return {
      grease: ciphers.some(isGrease) || exts.some(isGrease),
      ciphers: ciphers.filter((c) => !isGrease(c)).length,
      extensions: exts.filter((e) => !isGrease(e)).length,
      alps: exts.includes(0x44cd) || exts.includes(0x4469),
      certCompression: exts.includes(27),
      echGrease: exts.includes(0xfe0d),
      pqKeyShare: groups.includes(0x11ec),
      alpn: alpn.join(','),
    };
  } catch {
    return undefined;
  }
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A TCP tap in front of `port` that keeps the first chunk (the ClientHello) of each connection. */
async function tap(port: number, hellos: Buffer[]): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    client.once('data', (d: Buffer) => hellos.push(Buffer.from(d)));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return { port: await listen(server), server };
}

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: fs.readFileSync(`${dir}/key.pem`), cert: fs.readFileSync(`${dir}/cert.pem`) };
}

interface Candidate {
  name: string;
  transport: Transport;
  socket(url: string, headers: Record<string, string>): Promise<{ send(d: string): void; next(): Promise<string>; close(): void }>;
  hellos: Buffer[];
  latencies: number[];
  wsConnect: number[];
  wsEcho: number[];
  rssGrowthMb: number;
}

function plainCandidate(): Candidate {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  const transport: Transport = {
    fetch: async (input, init) => (await undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as Response,
    close: () => dispatcher.close(),
  };
  return {
    name: 'plain (Node TLS, undici)', transport, hellos: [], latencies: [], wsConnect: [], wsEcho: [], rssGrowthMb: 0,
    async socket(url, headers) {
      const { Origin: origin, ...rest } = headers;
      const ws = new WebSocket(url, { headers: rest, origin, rejectUnauthorized: false, perMessageDeflate: false });
      // The echo server greets first: the greeting means "open" for both candidates alike.
      await new Promise((resolve, reject) => {
        ws.once('message', resolve);
        ws.once('error', reject);
      });
      return { send: (d) => ws.send(d), next: () => new Promise((r) => ws.once('message', (m) => r(String(m)))), close: () => ws.close() };
    },
  };
}

function chromeCandidate(identity: ClientIdentity): Candidate {
  const transport = chromeTransport({ profile: identity.profile, insecure: true });
  return {
    name: 'chrome (wreq-js)', transport, hellos: [], latencies: [], wsConnect: [], wsEcho: [], rssGrowthMb: 0,
    async socket(url, headers) {
      const socket = transport.createSocket!(url, headers);
      const queue: string[] = [];
      let waiter: ((d: string) => void) | undefined;
      let opened: (() => void) | undefined;
      socket.on('message', (d) => {
        if (waiter) {
          const w = waiter;
          waiter = undefined;
          w(String(d));
        } else queue.push(String(d));
      });
      // The echo server greets first, so the first message means "open".
      await new Promise<void>((resolve, reject) => {
        opened = resolve;
        socket.on('error', reject);
        waiter = () => opened?.();
      });
      return { send: (d) => socket.send(d), next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiter = r))), close: () => socket.close(1000) };
    },
  };
}

export const tlsTransport: Benchmark = {
  name: 'tls',
  async run(ctx: BenchContext): Promise<Table> {
    const requests = ctx.quick ? 100 : 300;
    const rounds = ctx.quick ? 2 : 4;
    const messages = ctx.quick ? 50 : 200;
    const { key, cert } = selfSigned();
    const body = JSON.stringify({ id: '1', username: 'x', note: 'a'.repeat(400) });
    const api = https.createServer({ key, cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const wssServer = https.createServer({ key, cert });
    const wss = new WebSocketServer({ server: wssServer });
    wss.on('connection', (socket) => {
      socket.send('hello');
      socket.on('message', (m) => socket.send(m));
    });
    const apiPort = await listen(api);
    const wsPort = await listen(wssServer);
    const identity = new ClientIdentity();
    const headers = { ...identity.restHeaders(), Authorization: 'bench-token' };
    const candidates = [plainCandidate(), chromeCandidate(identity)];
    const taps = await Promise.all(candidates.map(async (c) => ({ api: await tap(apiPort, c.hellos), ws: await tap(wsPort, c.hellos) })));
    try {
      for (let round = 0; round < rounds; round++) {
        for (const [i, c] of candidates.entries()) {
          const url = `https://localhost:${taps[i]!.api.port}/api/v9/users/@me`;
          const before = process.memoryUsage().rss;
          for (let n = 0; n < requests; n++) {
            const start = performance.now();
            const response = await c.transport.fetch(url, { method: 'GET', headers });
            await response.text();
            if (n > 0 || round > 0) c.latencies.push(performance.now() - start); // the first one pays the handshake
          }
          const connectStart = performance.now();
          const ws = await c.socket(`wss://localhost:${taps[i]!.ws.port}/?v=9&encoding=json`, identity.gatewayHeaders());
          c.wsConnect.push(performance.now() - connectStart);
          const echoStart = performance.now();
          for (let m = 0; m < messages; m++) {
            ws.send(JSON.stringify({ op: 1, d: m }));
            await ws.next();
          }
          c.wsEcho.push((performance.now() - echoStart) / messages);
          ws.close();
          c.rssGrowthMb += (process.memoryUsage().rss - before) / 1048576;
          ctx.log(`tls: round ${round + 1}/${rounds} ${c.name} done`);
        }
      }
    } finally {
      for (const c of candidates) await c.transport.close().catch(() => undefined);
      for (const t of taps) {
        t.api.server.close();
        t.ws.server.close();
      }
      wss.close();
      api.close();
      wssServer.close();
    }
    const yes = (b: boolean | undefined) => (b ? 'yes' : 'no');
    return {
      title: 'Browser-TLS transport vs plain (local HTTPS/1.1 + WSS, self-signed)',
      setup: `${rounds} alternating rounds × ${requests} GETs with the full REST headers, then one WebSocket with ${messages} echoes per round`,
      columns: ['transport', 'p50 ms', 'p95 ms', 'mean ms', 'ws connect ms', 'ws echo ms', 'RSS growth MB', 'GREASE', 'ALPS', 'cert compression', 'ECH GREASE', 'PQ key share', 'ALPN', 'ciphers / extensions'],
      rows: candidates.map((c) => {
        const hello = c.hellos.map(parseHello).find(Boolean);
        return [
          c.name,
          percentile(c.latencies, 50),
          percentile(c.latencies, 95),
          sum(c.latencies) / c.latencies.length,
          percentile(c.wsConnect, 50),
          percentile(c.wsEcho, 50),
          c.rssGrowthMb,
          yes(hello?.grease), yes(hello?.alps), yes(hello?.certCompression), yes(hello?.echGrease), yes(hello?.pqKeyShare),
          hello?.alpn ?? '–',
          hello ? `${hello.ciphers} / ${hello.extensions}` : '–',
        ];
      }),
      notes: [
        'Both run in one process: RSS growth is attributed to whichever transport ran when it grew (the first round includes loading the native wreq module).',
        'A ClientHello with GREASE, ALPS, certificate compression and ECH GREASE is what Chrome sends; Node sends none of them.',
      ],
    };
  },
};
