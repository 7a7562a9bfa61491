/**
 * The browser-TLS transport (`SWITCHBOARD_TLS=chrome`): REST, uploads, downloads and the Gateway
 * WebSocket of one account go through `wreq-js` (Rust `wreq` + BoringSSL, MIT), whose TLS
 * ClientHello and HTTP/2 settings are those of the browser the account's profile names — GREASE,
 * ALPS, certificate compression, ECH GREASE, the post-quantum key share — instead of Node's own
 * handshake under a Chrome User-Agent (`real-world.md` §1). One wreq session per account also
 * keeps the cookies Discord sets, as a browser does. The evaluation and its numbers are in
 * `docs/tls-fingerprint.md`; the plain Node transport stays the default.
 *
 * Headers are switchboard's own (`disableDefaultHeaders`): the profile decides them, so the
 * emulated browser's defaults can never contradict `X-Super-Properties`.
 */
import { EventEmitter } from 'node:events';
import type { Session } from 'wreq-js';
import type { ClientProfile } from './client-properties.ts';
import type { GatewaySocket } from './gateway/protocol.ts';
import type { FetchLike, FetchResponse } from './rest/client.ts';
import { ProxyConnectError, redactProxy, type Transport } from './transport.ts';

type Wreq = typeof import('wreq-js');
let wreq: Promise<Wreq> | undefined;

/**
 * Loads wreq-js (a native module with one prebuilt binary per platform) on first use only, so the
 * default transport never depends on it; `serve` calls this at start when `SWITCHBOARD_TLS=chrome`
 * to fail early on a platform without a binary.
 */
export function loadWreq(): Promise<Wreq> {
  wreq ??= import('wreq-js').catch((error: unknown) => {
    wreq = undefined;
    throw new Error(`SWITCHBOARD_TLS=chrome needs the wreq-js native module, which did not load on this platform: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  return wreq;
}

/** The wreq browser profile closest to the account's profile (same browser, same or older major). */
export function emulationFor(profile: Pick<ClientProfile, 'browser' | 'browserVersion' | 'os'>, profiles: readonly string[]): { browser: string; os: 'windows' | 'macos' | 'linux' } {
  const family = profile.browser === 'Firefox' ? 'firefox' : 'chrome';
  const major = Number(profile.browserVersion.split('.')[0]);
  const available = profiles
    .map((name) => /^([a-z]+)_(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => !!m && m[1] === family)
    .map((m) => Number(m[2]))
    .sort((a, b) => a - b);
  const best = available.filter((v) => v <= major).at(-1) ?? available.at(-1);
  const os = profile.os === 'Mac OS X' ? 'macos' : profile.os === 'Linux' ? 'linux' : 'windows';
  return { browser: `${family}_${best}`, os };
}

export interface ChromeTransportOptions {
  profile: Pick<ClientProfile, 'browser' | 'browserVersion' | 'os'>;
  /** http(s):// or socks5:// proxy; wreq connects through it itself. */
  proxy?: string;
  /** Per-request timeout of the native client (the REST client has its own too). Default 30 s. */
  timeoutMs?: number;
  /** Accept any certificate. Benchmarks against a self-signed local server only; never in production. */
  insecure?: boolean;
}

export function chromeTransport(options: ChromeTransportOptions): Transport {
  const shown = options.proxy ? redactProxy(options.proxy) : undefined;
  let session: Promise<Session> | undefined;
  const create = async (): Promise<Session> => {
    const { createSession, getProfiles } = await loadWreq();
    const emulation = emulationFor(options.profile, getProfiles());
    return createSession({
      browser: emulation.browser as never,
      os: emulation.os,
      timeout: options.timeoutMs ?? 30_000,
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    });
  };
  const open = (): Promise<Session> => (session ??= create());
  const wrap = (error: unknown): unknown => (shown ? new ProxyConnectError(`through proxy ${shown}: ${error instanceof Error ? error.message : String(error)}`, shown, { cause: error }) : error);
  const doFetch: FetchLike = async (input, init) => {
    const s = await open();
    try {
      const response = await s.fetch(input, {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        body: (init.body ?? null) as never,
        signal: init.signal ?? null,
        ...(init.redirect ? { redirect: init.redirect } : {}),
        disableDefaultHeaders: true,
      });
      return response satisfies FetchResponse;
    } catch (error) {
      if (init.signal?.aborted) throw error;
      // Only connection-level failures are the proxy's; an HTTP answer never throws.
      throw wrap(error);
    }
  };
  return {
    fetch: doFetch,
    ...(shown ? { proxy: shown } : {}),
    createSocket: (url, headers) => new WreqGatewaySocket(open, url, headers, wrap),
    async close() {
      const s = session;
      session = undefined;
      if (s) await (await s.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}

type WreqSocket = Awaited<ReturnType<Session['websocket']>>;

/**
 * A wreq WebSocket behind the {@link GatewaySocket} slice the session uses. wreq connects
 * asynchronously; the session only sends after HELLO, and a close asked for before the socket
 * opened is carried out once it does.
 */
class WreqGatewaySocket extends EventEmitter implements GatewaySocket {
  #socket: WreqSocket | undefined;
  #closing: number | undefined;
  #closed = false;

  constructor(open: () => Promise<Session>, url: string, headers: Record<string, string>, wrap: (error: unknown) => unknown) {
    super();
    void (async () => {
      let socket: WreqSocket;
      try {
        const session = await open();
        socket = await session.websocket(url, { headers });
      } catch (error) {
        const wrapped = wrap(error);
        this.emit('error', wrapped instanceof Error ? wrapped : new Error(String(wrapped)));
        this.#finish(1006);
        return;
      }
      // Handlers go on right after the await: wreq holds messages (Discord's HELLO comes at once)
      // until it dispatches `open` a few microtasks later, then hands them to these handlers.
      if (this.#closed) return void socket.close();
      this.#socket = socket;
      socket.onmessage = (event) => this.emit('message', typeof event.data === 'string' ? event.data : Buffer.from(event.data as ArrayBuffer).toString('utf8'));
      socket.onerror = (event) => this.emit('error', new Error(String((event as { message?: unknown }).message ?? 'websocket error')));
      socket.onclose = (event) => this.#finish(event.code);
      if (this.#closing !== undefined) socket.close(this.#closing);
    })();
  }

  #finish(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close', code);
  }

  send(data: string): void {
    this.#socket?.send(data);
  }

  close(code?: number): void {
    if (this.#socket) this.#socket.close(code);
    else this.#closing = code ?? 1000;
  }

  terminate(): void {
    this.close(4000);
    // A terminated socket is gone at once for the session; the native close finishes on its own.
    this.#finish(1006);
  }
}
