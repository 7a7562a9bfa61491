/**
 * Real outbound proxies for tests: an HTTP proxy (CONNECT tunnels, optionally with Basic
 * credentials) and a SOCKS5 proxy (no auth or username/password). Both count connections and keep
 * the bytes clients sent through them, so a test can tell whose traffic passed (the simulator
 * speaks plain HTTP, so tokens and request lines are readable in the tunnels).
 */
import http from 'node:http';
import net from 'node:net';

export interface TestProxy {
  url: string;
  /** Tunnels opened (CONNECT requests or SOCKS5 connects). */
  connections: number;
  /** Everything clients sent through the tunnels, as latin1 text. */
  sent(): string;
  /** Occurrences of `needle` in the tunnelled bytes. */
  count(needle: string): number;
  close(): Promise<void>;
}

function track(server: net.Server, sockets: Set<net.Socket>): void {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
}

function pipe(client: net.Socket, target: net.Socket, chunks: Buffer[]): void {
  client.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  client.pipe(target);
  target.pipe(client);
  const end = () => {
    client.destroy();
    target.destroy();
  };
  client.on('error', end);
  target.on('error', end);
  client.on('close', end);
  target.on('close', end);
}

function handle(server: net.Server, sockets: Set<net.Socket>, scheme: string, auth: string | undefined, state: { connections: number; chunks: Buffer[] }): Promise<TestProxy> {
  track(server, sockets);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `${scheme}://${auth ? `${auth}@` : ''}127.0.0.1:${port}`,
        get connections() {
          return state.connections;
        },
        sent: () => Buffer.concat(state.chunks).toString('latin1'),
        count(needle) {
          return Buffer.concat(state.chunks).toString('latin1').split(needle).length - 1;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export async function startHttpProxy(options: { username?: string; password?: string } = {}): Promise<TestProxy> {
  const state = { connections: 0, chunks: [] as Buffer[] };
  const sockets = new Set<net.Socket>();
  const expected = options.username ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}` : undefined;
  const head = (req: http.IncomingMessage, path: string): string =>
    `${req.method} ${path} HTTP/1.1\r\n${Object.entries(req.headers).filter(([k]) => !k.startsWith('proxy-')).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('\r\n')}\r\n\r\n`;
  // Plain-HTTP targets may be asked for in absolute form (`GET http://host/path`) instead of a tunnel.
  const server = http.createServer((req, res) => {
    if (expected && req.headers['proxy-authorization'] !== expected) return void res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400).end();
    }
    state.connections++;
    const path = target.pathname + target.search;
    state.chunks.push(Buffer.from(head(req, path)));
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith('proxy-')));
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.on('data', (chunk: Buffer) => state.chunks.push(Buffer.from(chunk)));
    req.pipe(upstream);
  });
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, early: Buffer) => {
    if (expected && req.headers['proxy-authorization'] !== expected) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const target = new URL(req.url ?? '');
    state.connections++;
    const text = head(req, target.pathname + target.search);
    state.chunks.push(Buffer.from(text));
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      upstream.write(text);
      if (early.length > 0) upstream.write(early);
      pipe(client, upstream, state.chunks);
    });
    upstream.on('error', () => client.destroy());
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    state.connections++;
    const [host, port] = (req.url ?? '').split(':');
    const target = net.connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) {
        state.chunks.push(Buffer.from(head));
        target.write(head);
      }
      pipe(client, target, state.chunks);
    });
    target.on('error', () => client.destroy());
  });
  const auth = options.username ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password ?? '')}` : undefined;
  return handle(server, sockets, 'http', auth, state);
}

/** SOCKS5 (RFC 1928) with "no auth" or username/password (RFC 1929); CONNECT only. */
export async function startSocksProxy(options: { username?: string; password?: string } = {}): Promise<TestProxy> {
  const state = { connections: 0, chunks: [] as Buffer[] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' = 'greeting';
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      if (stage === 'greeting') {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
        const methods = [...buffer.subarray(2, 2 + buffer[1]!)];
        buffer = buffer.subarray(2 + buffer[1]!);
        const wanted = options.username ? 2 : 0;
        if (!methods.includes(wanted)) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, wanted]));
        stage = options.username ? 'auth' : 'request';
      }
      if (stage === 'auth') {
        if (buffer.length < 2) return;
        const ulen = buffer[1]!;
        if (buffer.length < 3 + ulen || buffer.length < 3 + ulen + buffer[2 + ulen]!) return;
        const user = buffer.subarray(2, 2 + ulen).toString();
        const plen = buffer[2 + ulen]!;
        const pass = buffer.subarray(3 + ulen, 3 + ulen + plen).toString();
        buffer = buffer.subarray(3 + ulen + plen);
        const ok = user === options.username && pass === (options.password ?? '');
        client.write(Buffer.from([1, ok ? 0 : 1]));
        if (!ok) return void client.end();
        stage = 'request';
      }
      if (stage === 'request') {
        if (buffer.length < 5) return;
        const type = buffer[3]!;
        const addrLen = type === 1 ? 4 : type === 4 ? 16 : 1 + buffer[4]!;
        if (buffer.length < 4 + addrLen + 2) return;
        const host = type === 1 ? [...buffer.subarray(4, 8)].join('.') : type === 3 ? buffer.subarray(5, 5 + buffer[4]!).toString() : '::1';
        const port = buffer.readUInt16BE(4 + addrLen);
        const rest = buffer.subarray(4 + addrLen + 2);
        client.off('data', onData);
        state.connections++;
        const target = net.connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (rest.length > 0) {
            state.chunks.push(Buffer.from(rest));
            target.write(rest);
          }
          pipe(client, target, state.chunks);
        });
        target.on('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
      }
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  const auth = options.username ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password ?? '')}` : undefined;
  return handle(server, sockets, 'socks5', auth, state);
}

/** A port nothing listens on: a proxy there refuses every connection. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
