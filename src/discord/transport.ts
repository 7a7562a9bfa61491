/**
 * How one account reaches Discord: the `fetch` its REST calls, uploads and CDN downloads use, and
 * the agent its Gateway WebSocket uses. Direct by default; through the account's outbound proxy
 * (HTTP, HTTPS or SOCKS5) when it has one, so all of that account's traffic leaves from the
 * proxy's address and none of it from the host's.
 *
 * Direct, REST calls (they ask for `redirect: 'manual'`) go over `undici.request` with one shared
 * keep-alive agent (`request-fetch.ts`), which costs a third to a half of the CPU of Node's WHATWG
 * `fetch`. Requests that let redirects be followed — CDN downloads, upload PUTs, the build-number
 * discovery — keep Node's `fetch` and its semantics: `undici.request` follows none, and following
 * a redirect from a URL a bot gave us is a decision for the caller's address policy, not something
 * to re-implement here.
 *
 * Libraries: undici's `ProxyAgent` (HTTP CONNECT tunnelling) and an undici `Agent` whose connector
 * opens the socket through `socks` (SOCKS5) drive the `fetch` of the `undici` package — Node 20's
 * global fetch is undici too, but a dispatcher from the package must be used with the package's own
 * `fetch`. `https-proxy-agent` and `socks-proxy-agent` give `ws` the matching `http.Agent`.
 * (undici's own `Socks5ProxyAgent` is marked experimental in 7.x, hence `socks`.)
 */
import type { Agent as HttpAgent } from 'node:http';
import tls from 'node:tls';
import type { Dispatcher } from 'undici';
import { deferredSocket, defaultSocket, type GatewaySocket } from './gateway/protocol.ts';
import { parseProxyUrl, redactProxy } from './proxy-url.ts';
import { requestFetch } from './request-fetch.ts';
import type { FetchLike, FetchResponse } from './rest/client.ts';

export { parseProxyUrl, PROXY_SCHEMES, redactProxy } from './proxy-url.ts';

export interface Transport {
  readonly fetch: FetchLike;
  /** Opens the Gateway socket the transport's way (through its proxy, or its own TLS); absent: direct `ws`. */
  readonly createSocket?: (url: string, headers: Record<string, string>) => GatewaySocket;
  /** The proxy, credentials masked (safe to log and show), or undefined when direct. */
  readonly proxy?: string;
  close(): Promise<void>;
}

/** A failure to get through the account's proxy: refused, timed out, or the tunnel was denied. */
export class ProxyConnectError extends Error {
  override name = 'ProxyConnectError';
  constructor(message: string, readonly proxy: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const directFetch: FetchLike = (input, init) => (init.redirect === 'manual' ? requestFetch(input, init) : fetch(input, init));

export const directTransport: Transport = Object.freeze({
  fetch: directFetch,
  close: async () => {},
});

export interface ProxyTransportOptions {
  /** Time allowed to connect to the proxy (and through it). Default 10 s. */
  connectTimeoutMs?: number;
}

/** A transport that sends everything through `proxyUrl` (validated with {@link parseProxyUrl}). */
export function proxyTransport(proxyUrl: string, options: ProxyTransportOptions = {}): Transport {
  const parsed = parseProxyUrl(proxyUrl);
  if (!parsed.ok) throw new TypeError(parsed.error);
  const url = parsed.url;
  const shown = redactProxy(url);
  const timeout = options.connectTimeoutMs ?? 10_000;
  const socks = url.protocol.startsWith('socks');
  // The agents are loaded on first use (≈ 1.5 s of imports on a busy machine): a process with no
  // proxied account never pays for them.
  let agents: Promise<{ dispatcher: Dispatcher; wsAgent: HttpAgent; fetch: typeof import('undici').fetch }> | undefined;
  const load = () =>
    (agents ??= (async () => {
      const undici = await import('undici');
      if (socks) {
        const [{ SocksClient }, { SocksProxyAgent }] = await Promise.all([import('socks'), import('socks-proxy-agent')]);
        return { dispatcher: socksDispatcher(undici.Agent, SocksClient, url, timeout), wsAgent: new SocksProxyAgent(url, { timeout }), fetch: undici.fetch };
      }
      const { HttpsProxyAgent } = await import('https-proxy-agent');
      return { dispatcher: new undici.ProxyAgent({ uri: url.toString(), connect: { timeout }, proxyTls: { timeout } }), wsAgent: new HttpsProxyAgent(url, { timeout }), fetch: undici.fetch };
    })());
  const doFetch: FetchLike = async (input, init) => {
    const { dispatcher, fetch: undiciFetch } = await load();
    try {
      return (await undiciFetch(input, { ...init, dispatcher })) satisfies FetchResponse;
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ProxyConnectError(`through proxy ${shown}: ${describe(error)}`, shown, { cause: error });
    }
  };
  return {
    fetch: doFetch,
    createSocket: (socketUrl, headers) => deferredSocket(load().then(({ wsAgent }) => defaultSocket(socketUrl, { headers, agent: wsAgent }))),
    proxy: shown,
    async close() {
      const loaded = await agents?.catch(() => undefined);
      loaded?.wsAgent.destroy();
      await loaded?.dispatcher.close().catch(() => undefined);
    },
  };
}

/** An undici Agent whose every connection is a SOCKS5 tunnel (then TLS, for https targets). */
function socksDispatcher(
  Agent: typeof import('undici').Agent,
  SocksClient: typeof import('socks').SocksClient,
  url: URL,
  timeout: number,
): Dispatcher {
  const proxy = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 1080),
    type: 5 as const,
    ...(url.username ? { userId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
  };
  return new Agent({
    connect: (opts, callback) => {
      const port = Number(opts.port || (opts.protocol === 'https:' ? 443 : 80));
      SocksClient.createConnection({ proxy, command: 'connect', destination: { host: opts.hostname, port }, timeout })
        .then(({ socket }) => {
          if (opts.protocol !== 'https:') return callback(null, socket);
          const secure = tls.connect({ socket, servername: opts.servername ?? opts.hostname, ALPNProtocols: ['http/1.1'] });
          secure.once('secureConnect', () => callback(null, secure));
          secure.once('error', (error) => callback(error, null));
        })
        .catch((error: Error) => callback(error, null));
    },
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error.name === 'TimeoutError' || cause?.code === 'UND_ERR_CONNECT_TIMEOUT') return 'timed out';
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (cause?.message) return cause.code ? `${cause.message} (${cause.code})` : cause.message;
  return error.message;
}

/** Whether an error (or one of its causes) is a failure to get through the account's proxy. */
export function isProxyFailure(error: unknown): error is ProxyConnectError {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProxyConnectError) return true;
  }
  return false;
}
