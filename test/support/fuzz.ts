/**
 * Random requests over every route of the app (fast-check arbitraries), and the property they must
 * all satisfy: no 5xx, and every error in useapi's envelope `{ error, code }` (the account routes'
 * documented plain-text 404 aside). Shared by the CI test (fixed seed) and bench/fuzz.ts (long run).
 */
import fc from 'fast-check';

export interface RouteShape {
  method: string;
  url: string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | FormData | undefined;
}

/** Field names the routes read, plus noise; values never form a working bring-your-own account. */
const FIELD_NAMES = ['prompt', 'idname', 'image', 'source_image', 'target_image_gif_or_video', 'replyUrl', 'replyRef', 'maxJobs', 'channel', 'discord', 'server', 'jobid', 'message', 'font', 'button', 'options', 'x', '__proto__', 'constructor', ''];
const VALUE = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '\u0000', '💥'.repeat(5), 'a'.repeat(2000), 'http://127.0.0.1/h', 'https://example.com/h', 'job:1-user:x-channel:1-bot:pika', '../../etc/passwd', '%00', '<script>'),
);
const JSON_VALUE = fc.jsonValue({ maxDepth: 3 });

function pathFor(url: string, segment: () => fc.Arbitrary<string>): fc.Arbitrary<string> {
  const parts = url.split('/');
  return fc.tuple(...parts.map((part) => (part.startsWith(':') ? segment() : fc.constant(part)))).map((p) => p.join('/'));
}

const SEGMENT = () =>
  fc.oneof(fc.constantFrom('1100000000000000001', '0', '-1', 'abc', '%2e%2e', '%00', 'job:1', '9'.repeat(40), 'a'.repeat(300)), fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent));

const QUERY = fc.array(fc.tuple(fc.constantFrom('jobid', 'hidden', 'x', 'jobid[]', 'a[b]', ''), VALUE), { maxLength: 4 }).map((pairs) => {
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
});

const MULTIPART = fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.oneof(VALUE.map((v) => ({ text: v })), fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ bytes })))), { maxLength: 6 }).map((parts) => {
  const data = new FormData();
  for (const [name, value] of parts) {
    if ('text' in value) data.append(name, value.text);
    else data.append(name, new Blob([value.bytes], { type: 'image/png' }), `${name || 'f'}.png`);
  }
  return data;
});

/** A request body and the headers that go with it. */
const BODY: fc.Arbitrary<{ headers: Record<string, string>; body: FuzzRequest['body'] }> = fc.oneof(
  fc.constant({ headers: {}, body: undefined }),
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.oneof(VALUE, JSON_VALUE)).map((o) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(o) })),
  JSON_VALUE.map((v) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) })),
  fc.string({ maxLength: 200 }).map((s) => ({ headers: { 'content-type': 'application/json' }, body: s })),
  MULTIPART.map((body) => ({ headers: {}, body })),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: bytes })),
  fc.string({ maxLength: 100 }).map((s) => ({ headers: { 'content-type': 'multipart/form-data' }, body: s })),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/json; charset=latin1', 'garbage').map((type) => ({ headers: { 'content-type': type }, body: 'a=1&b=2' })),
);

const AUTH = fc.oneof(
  { weight: 6, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'Bearer', 'Bearer sb_invalid', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'x'.repeat(600)) },
);

/** Requests over the given routes; `token` is a valid API token. */
export function requestArbitrary(routes: readonly RouteShape[], token: string): fc.Arbitrary<FuzzRequest> {
  const shapes = routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  return fc
    .tuple(fc.constantFrom(...shapes), fc.boolean(), AUTH, BODY, QUERY)
    .chain(([route, wrongMethod, auth, body, query]) =>
      pathFor(route.url, SEGMENT).map((path) => {
        const method = wrongMethod ? (route.method === 'GET' ? 'DELETE' : 'GET') : route.method;
        const headers: Record<string, string> = { ...body.headers };
        if (auth === 'valid') headers.authorization = `Bearer ${token}`;
        else if (auth !== 'none') headers.authorization = auth;
        // GET and HEAD cannot carry a body in fetch.
        return { method, path: path + query, headers, body: method === 'GET' ? undefined : body.body };
      }),
    );
}

/** Sends the request; returns a description of what broke the property, or undefined. */
export async function violation(base: string, request: FuzzRequest): Promise<string | undefined> {
  const response = await fetch(base + request.path, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const where = `${request.method} ${request.path} → ${response.status}`;
  if (response.status >= 500) return `${where}: ${text.slice(0, 200)}`;
  if (response.status < 400) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/plain') && response.status === 404 && /Configuration not found/.test(text)) return undefined;
  if (!type.startsWith('application/json')) return `${where}: error not in JSON (${type})`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${where}: error body is not JSON`;
  }
  const envelope = body as { error?: unknown; code?: unknown };
  if (typeof envelope.error !== 'string' || envelope.code !== response.status) return `${where}: not the useapi envelope: ${text.slice(0, 200)}`;
  return undefined;
}
