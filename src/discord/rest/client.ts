import { ClientIdentity } from '../client-properties.ts';
import { DiscordApiError } from '../errors.ts';
import { tokenKey } from '../token-key.ts';
import { classifyResponse, discordCode, discordMessage, isAccountWide, retryAfterMs, RETRYABLE_STATUSES } from './classify.ts';
import { RateLimiter, RateLimitWaitTooLong, realClock, type Clock } from './rate-limit.ts';
import { routeKey } from './route.ts';

/** What switchboard's Discord traffic passes to a `fetch`: a slice of `RequestInit`. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  redirect?: 'follow' | 'manual' | 'error';
}

/**
 * What its callers read of an answer: a slice of `Response`. A WHATWG `Response` is one; a
 * transport may answer with something lighter (the direct transport's REST path, `request-fetch.ts`).
 */
export interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** The (decoded) body, for callers that read it in chunks (result downloads). */
  readonly body: AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A transport's `fetch`: `globalThis.fetch` satisfies it. */
export type FetchLike = (input: string, init: FetchInit) => Promise<FetchResponse>;

export interface RestClientOptions {
  token: string;
  /** e.g. `https://discord.com/api/v9` (no trailing slash). */
  apiUrl: string;
  fetch?: FetchLike;
  clock?: Clock;
  /** The account's browser identity: every request carries its headers. Default: the default profile. */
  identity?: ClientIdentity;
  /** Gap between two requests of this account. Default 100 ms. */
  minIntervalMs?: number;
  /** Extra gaps per route key. Default: 350 ms between interactions. */
  routeIntervalsMs?: Readonly<Record<string, number>>;
  /** Longest 429 wait the client sits out by itself; longer ones fail as `rate_limited`. Default 60 s. */
  maxRateLimitWaitMs?: number;
  /** Retries of a retryable 5xx. Default 3. */
  serverErrorRetries?: number;
  /** Retries of a request that got no response. Default 2. */
  networkRetries?: number;
  /** First backoff step for 5xx and network retries; doubles per attempt, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Per-attempt timeout. Default 15 s. */
  requestTimeoutMs?: number;
  /** Called with every error a request finally fails with (health tracking). */
  onError?: (error: DiscordApiError) => void;
  /** Called after every successful request (health tracking). */
  onSuccess?: () => void;
  /** Called for every 429, also those the client then waits out (health: long waits mean cooling down). */
  onRateLimited?: (info: { route: string; retryAfterMs: number; global: boolean }) => void;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body. */
  body?: unknown;
  signal?: AbortSignal;
  /** Overrides the client's {@link RestClientOptions.maxRateLimitWaitMs} for this call. */
  maxRateLimitWaitMs?: number;
  /** Skip `onError`/`onSuccess` (health probes report their result themselves). */
  silent?: boolean;
}

const defaults = {
  minIntervalMs: 100,
  routeIntervalsMs: { 'POST /interactions': 350 } as Readonly<Record<string, number>>,
  maxRateLimitWaitMs: 60_000,
  serverErrorRetries: 3,
  networkRetries: 2,
  retryBaseMs: 500,
  requestTimeoutMs: 15_000,
} as const;

/** More 429s than this for one call means something is wrong (e.g. `retry_after: 0` forever). */
const MAX_RATE_LIMIT_RETRIES = 50;

/**
 * The REST client of one Discord user account: raw-token auth, browser-like headers, one
 * rate-limit domain, retries that honour `retry_after` and back off on 5xx, and
 * {@link DiscordApiError}s that carry Discord's code, the status, method and route.
 */
export class RestClient {
  /** Hash of the token: safe to log and to key maps with. */
  readonly accountKey: string;
  readonly apiUrl: string;
  /** ES-private so that neither `util.inspect` nor `JSON.stringify` of the client shows it. */
  readonly #token: string;
  private readonly onError: RestClientOptions['onError'];
  private readonly onSuccess: RestClientOptions['onSuccess'];
  private readonly onRateLimited: RestClientOptions['onRateLimited'];
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  /** The browser this client passes as (headers of every request). */
  readonly identity: ClientIdentity;
  private readonly settings: Required<
    Pick<RestClientOptions, 'maxRateLimitWaitMs' | 'serverErrorRetries' | 'networkRetries' | 'retryBaseMs' | 'requestTimeoutMs'>
  >;

  constructor(options: RestClientOptions) {
    this.#token = options.token;
    this.onError = options.onError;
    this.onSuccess = options.onSuccess;
    this.onRateLimited = options.onRateLimited;
    this.accountKey = tokenKey(options.token);
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clock = options.clock ?? realClock;
    this.limiter = new RateLimiter({
      minIntervalMs: options.minIntervalMs ?? defaults.minIntervalMs,
      routeIntervalsMs: options.routeIntervalsMs ?? defaults.routeIntervalsMs,
      clock: this.clock,
    });
    this.identity = options.identity ?? new ClientIdentity();
    this.settings = {
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? defaults.maxRateLimitWaitMs,
      serverErrorRetries: options.serverErrorRetries ?? defaults.serverErrorRetries,
      networkRetries: options.networkRetries ?? defaults.networkRetries,
      retryBaseMs: options.retryBaseMs ?? defaults.retryBaseMs,
      requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    };
  }

  /** The account's transport (its proxy, when it has one): uploads and downloads use it too. */
  get fetch(): FetchLike {
    return this.fetchImpl;
  }

  get<T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, signal });
  }

  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'POST', path, body, signal });
  }

  delete<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'DELETE', path, signal });
  }

  /** One logical call: retried through 429s, retryable 5xx and lost connections. */
  async request<T>(req: RequestOptions): Promise<T> {
    try {
      const result = await this.requestWithRetries<T>(req);
      if (!req.silent) this.onSuccess?.();
      return result;
    } catch (error) {
      if (error instanceof DiscordApiError && !req.silent) this.onError?.(error);
      throw error;
    }
  }

  private async requestWithRetries<T>(req: RequestOptions): Promise<T> {
    const route = routeKey(req.method, req.path);
    const maxWait = req.maxRateLimitWaitMs ?? this.settings.maxRateLimitWaitMs;
    let serverErrors = 0;
    let networkErrors = 0;
    let rateLimits = 0;
    for (;;) {
      let outcome: Outcome<T>;
      try {
        outcome = await this.limiter.run(route, () => this.attempt<T>(req, route), maxWait, req.signal);
      } catch (error) {
        if (error instanceof RateLimitWaitTooLong) {
          throw new DiscordApiError({
            kind: 'rate_limited',
            status: 429,
            code: 0,
            method: req.method,
            route: req.path,
            discordMessage: `still rate limited for ${error.waitMs} ms`,
            body: undefined,
            retry: true,
            retryAfterMs: error.waitMs,
            global: error.global,
          });
        }
        throw error;
      }
      if (outcome.ok) return outcome.value;
      const error = outcome.error;
      if (error.kind === 'rate_limited') {
        if ((error.retryAfterMs ?? 0) > maxWait || ++rateLimits > MAX_RATE_LIMIT_RETRIES) throw error;
        continue; // the limiter now knows the deadline and waits for it
      }
      if (error.kind === 'network' && networkErrors < this.settings.networkRetries && !req.signal?.aborted) {
        await this.clock.sleep(this.backoff(networkErrors++), req.signal);
        continue;
      }
      if (error.kind === 'server_error' && RETRYABLE_STATUSES.has(error.status) && serverErrors < this.settings.serverErrorRetries) {
        await this.clock.sleep(this.backoff(serverErrors++), req.signal);
        continue;
      }
      if (outcome.notReadyMs !== undefined && serverErrors < this.settings.serverErrorRetries) {
        serverErrors++;
        await this.clock.sleep(outcome.notReadyMs, req.signal);
        continue;
      }
      throw error;
    }
  }

  private backoff(attempt: number): number {
    const base = this.settings.retryBaseMs * 2 ** attempt;
    return Math.round(base / 2 + Math.random() * base / 2);
  }

  /** One HTTP exchange. Records any announced deadline before returning (we hold the account lock). */
  private async attempt<T>(req: RequestOptions, route: string): Promise<Outcome<T>> {
    const url = new URL(this.apiUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...this.identity.restHeaders(), Authorization: this.#token };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let response: FetchResponse;
    let parsed: unknown;
    try {
      // A redirect is returned (and fails as an HTTP error), not followed: Discord's API answers
      // REST calls directly. Saying so lets the direct transport send the call on its light path
      // (`request-fetch.ts`), which follows no redirects.
      response = await this.fetchImpl(url.toString(), { method: req.method, headers, body, signal, redirect: 'manual' });
      parsed = await readBody(response);
    } catch (cause) {
      if (req.signal?.aborted) throw req.signal.reason ?? cause;
      return { ok: false, error: this.error(req, 0, undefined, 'network', true, cause) };
    }

    const remaining = response.headers.get('x-ratelimit-remaining');
    const resetAfter = response.headers.get('x-ratelimit-reset-after');
    if (remaining !== null && resetAfter !== null) {
      this.limiter.noteBucket(route, Number(remaining), Math.ceil(Number(resetAfter) * 1000));
    }

    if (response.status === 429) {
      const waitMs = retryAfterMs(response.headers, parsed);
      const global =
        response.headers.get('x-ratelimit-global') === 'true' ||
        (parsed as { global?: unknown } | undefined)?.global === true ||
        response.headers.get('x-ratelimit-scope') === 'global';
      this.limiter.noteRateLimit(route, waitMs, global || isAccountWide(response.headers));
      if (!req.silent) this.onRateLimited?.({ route, retryAfterMs: waitMs, global });
      return { ok: false, error: this.error(req, 429, parsed, 'rate_limited', true, undefined, { retryAfterMs: waitMs, global }) };
    }
    if (response.status === 202 && parsed && typeof parsed === 'object' && 'retry_after' in parsed) {
      // "Resource not ready yet, retry later" (spec §4.1).
      const error = this.error(req, 202, parsed, 'server_error', true);
      return { ok: false, error, notReadyMs: retryAfterMs(response.headers, parsed) };
    }
    if (response.ok) return { ok: true, value: parsed as T };
    const { kind, retry } = classifyResponse(response.status, parsed);
    return { ok: false, error: this.error(req, response.status, parsed, kind, retry) };
  }

  private error(
    req: RequestOptions,
    status: number,
    body: unknown,
    kind: DiscordApiError['kind'],
    retry: boolean,
    cause?: unknown,
    extra: { retryAfterMs?: number; global?: boolean } = {},
  ): DiscordApiError {
    const fallback = status === 0 ? describeNetworkError(cause) : `HTTP ${status}`;
    return new DiscordApiError({
      kind,
      status,
      code: discordCode(body),
      method: req.method,
      route: req.path,
      discordMessage: discordMessage(body, fallback),
      body,
      retry,
      cause,
      ...extra,
    });
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: DiscordApiError; notReadyMs?: number };

async function readBody(response: FetchResponse): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text.length === 0) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json') || /^[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function describeNetworkError(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: { code?: string } }).cause?.code;
    if (cause.name === 'TimeoutError') return 'request timed out';
    return inner ? `${cause.message} (${inner})` : cause.message;
  }
  return 'network failure';
}
