/**
 * A `fetch` for REST calls over `undici.request`: the same exchange without WHATWG `fetch`'s
 * Request/Response objects, web streams and header guards. A CPU profile of the throughput
 * benchmark put those at ~16% of switchboard's CPU per job; per call, `fetch` costs two to three
 * times the CPU of this path (`npx tsx bench/rest-cpu.ts`).
 *
 * It keeps what its callers relied on `fetch` for: it advertises and decodes compressed answers,
 * and fails the way `fetch` fails — a lost connection is `TypeError('fetch failed')` whose `cause`
 * carries the code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, a TLS code), an abort or timeout is
 * the signal's reason — so `describeNetworkError` and the health code read it unchanged. It never
 * follows a redirect: a 3xx comes back as it came, which is `fetch`'s `redirect: 'manual'` in Node
 * (the direct transport sends only such requests here). And it reads the whole body before
 * resolving: REST answers are small JSON, and no unread body is left holding the socket.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Dispatcher } from 'undici';
import type { FetchInit, FetchResponse } from './rest/client.ts';

/**
 * What we accept. Chrome sends `gzip, deflate, br, zstd`; Node 20's zlib has no zstd, and an
 * encoding we advertise but cannot decode would break the answer, so we send the three we decode.
 * That is closer to the browser our headers claim to be than `fetch`'s `gzip, deflate`, and a
 * client whose headers contradict its User-Agent is what Discord can see (`real-world.md` §1).
 */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** `fetch`'s own tolerance: a body cut short still yields what arrived (undici's fetch flushes the same way). */
const ZLIB_FLUSH = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_FLUSH = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/**
 * Compressed bodies smaller than this decode synchronously: for a few KB of JSON the thread-pool
 * hop of zlib's async form costs several times the CPU of the work itself. Larger ones (a big
 * command index) decode off the event loop.
 */
const SYNC_LIMIT = 64 * 1024;

type Decoder = (bytes: Buffer, sync: boolean) => Buffer | Promise<Buffer>;
const DECODERS: Readonly<Record<string, Decoder>> = {
  'gzip': (bytes, sync) => (sync ? zlib.gunzipSync(bytes, ZLIB_FLUSH) : gunzip(bytes, ZLIB_FLUSH)),
  'x-gzip': (bytes, sync) => DECODERS.gzip!(bytes, sync),
  // Servers send `deflate` both zlib-wrapped (as the RFC says) and raw; the header's low nibble tells.
  'deflate': (bytes, sync) =>
    (bytes[0]! & 0x0f) === 0x08
      ? (sync ? zlib.inflateSync(bytes, ZLIB_FLUSH) : inflate(bytes, ZLIB_FLUSH))
      : (sync ? zlib.inflateRawSync(bytes, ZLIB_FLUSH) : inflateRaw(bytes, ZLIB_FLUSH)),
  'br': (bytes, sync) => (sync ? zlib.brotliDecompressSync(bytes, BROTLI_FLUSH) : brotli(bytes, BROTLI_FLUSH)),
};

type Undici = typeof import('undici');
let undici: Promise<{ request: Undici['request']; dispatcher: Dispatcher }> | undefined;

/**
 * One keep-alive agent for every unproxied account, loaded on first use (as the proxy agents
 * are): a process that makes no REST call does not import undici's package.
 */
function load(): Promise<{ request: Undici['request']; dispatcher: Dispatcher }> {
  return (undici ??= import('undici').then(({ Agent, request }) => ({ request, dispatcher: new Agent() })));
}

/** Sends one request with `undici.request`; see the module comment for what it keeps of `fetch`. */
export async function requestFetch(input: string, init: FetchInit): Promise<FetchResponse> {
  const { request, dispatcher } = await load();
  const headers = { ...init.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept-encoding')) headers['accept-encoding'] = ACCEPT_ENCODING;
  try {
    const answer = await request(input, {
      dispatcher,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body: init.body ?? null,
      signal: init.signal ?? null,
    });
    const encoding = answer.headers['content-encoding'];
    const raw = Buffer.from(await answer.body.arrayBuffer());
    const bytes = await decode(raw, Array.isArray(encoding) ? encoding.join(',') : encoding);
    return new BufferedResponse(answer.statusCode, answer.headers, bytes);
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw new TypeError('fetch failed', { cause: error });
  }
}

/** Applies `content-encoding` (last applied first); an encoding we do not know leaves the bytes as they came, as `fetch` does. */
async function decode(bytes: Buffer, header: string | undefined): Promise<Buffer> {
  if (!header || bytes.length === 0) return bytes;
  const codings = header.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity').reverse();
  if (!codings.every((c) => Object.hasOwn(DECODERS, c))) return bytes;
  for (const coding of codings) bytes = await DECODERS[coding]!(bytes, bytes.length < SYNC_LIMIT);
  return bytes;
}

const utf8 = new TextDecoder();

/** The {@link FetchResponse} slice over a body already read and decoded. */
class BufferedResponse implements FetchResponse {
  readonly headers: FetchResponse['headers'];

  constructor(
    readonly status: number,
    headers: Record<string, string | string[] | undefined>,
    private readonly bytes: Buffer,
  ) {
    // `Headers.get` semantics: names are case-insensitive (undici hands them over lower-cased), repeats joined.
    this.headers = {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get body(): AsyncIterable<Uint8Array> | null {
    const bytes = this.bytes;
    return bytes.length === 0 ? null : (async function* () { yield bytes; })();
  }

  async text(): Promise<string> {
    return utf8.decode(this.bytes);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.bytes).buffer;
  }
}
