/**
 * One rate-limit domain per account. User tokens rarely receive per-bucket headers, so the
 * client cannot predict buckets: it paces itself, keeps exactly one request in flight per
 * account, and records every deadline Discord announces (429 `retry_after`, global or per
 * route; bucket headers when present) before the next request may start. One request in flight
 * is what makes "zero requests before an announced deadline" provable: the 429 that announces a
 * deadline has always been read before anything else is sent.
 */

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort(): void {
        clearTimeout(timer);
        reject(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface RateLimiterOptions {
  /** Minimum gap between two requests of this account (ms). */
  minIntervalMs: number;
  /** Extra minimum gaps per route key, e.g. `{ 'POST /interactions': 350 }`. */
  routeIntervalsMs?: Readonly<Record<string, number>>;
  /** Safety margin added to every announced deadline (timer granularity). */
  marginMs?: number;
  clock?: Clock;
}

/** Thrown by {@link RateLimiter.run} when the next allowed moment is further away than the caller accepts. */
export class RateLimitWaitTooLong extends Error {
  constructor(
    readonly waitMs: number,
    readonly global: boolean,
  ) {
    super(`rate limited for another ${waitMs} ms`);
  }
}

export class RateLimiter {
  private tail: Promise<void> = Promise.resolve();
  private globalUntil = 0;
  private readonly routeUntil = new Map<string, number>();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private readonly lastRouteSentAt = new Map<string, number>();
  private readonly clock: Clock;
  private readonly margin: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.clock = options.clock ?? realClock;
    this.margin = options.marginMs ?? 25;
  }

  /** Milliseconds until a request on `route` may start, and whether the global limit is the reason. */
  delayFor(route: string): { ms: number; global: boolean } {
    const now = this.clock.now();
    const global = this.globalUntil - now;
    const routeBlock = (this.routeUntil.get(route) ?? 0) - now;
    const pace = this.lastSentAt + this.options.minIntervalMs - now;
    const routeGap = this.options.routeIntervalsMs?.[route];
    const routePace = routeGap ? (this.lastRouteSentAt.get(route) ?? Number.NEGATIVE_INFINITY) + routeGap - now : 0;
    const ms = Math.max(0, global, routeBlock, pace, routePace);
    return { ms: Math.ceil(ms), global: global > 0 && global >= ms };
  }

  /**
   * Runs `attempt` exclusively for this account once every known deadline for `route` has
   * passed. `attempt` must report any 429 it reads (via {@link noteRateLimit}) before it resolves.
   */
  async run<T>(route: string, attempt: () => Promise<T>, maxWaitMs: number, signal?: AbortSignal): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      for (;;) {
        const { ms, global } = this.delayFor(route);
        if (ms <= 0) break;
        if (ms > maxWaitMs) throw new RateLimitWaitTooLong(ms, global);
        await this.clock.sleep(ms, signal);
      }
      const now = this.clock.now();
      this.lastSentAt = now;
      this.lastRouteSentAt.set(route, now);
      return await attempt();
    } finally {
      release();
    }
  }

  /** Records a deadline announced by a 429 (`retryAfterMs` from now). */
  noteRateLimit(route: string, retryAfterMs: number, global: boolean): void {
    const until = this.clock.now() + retryAfterMs + this.margin;
    if (global) this.globalUntil = Math.max(this.globalUntil, until);
    else this.routeUntil.set(route, Math.max(this.routeUntil.get(route) ?? 0, until));
  }

  /** Records bucket headers when Discord sends them (mostly bots; harmless for users). */
  noteBucket(route: string, remaining: number, resetAfterMs: number): void {
    if (remaining > 0) return;
    const until = this.clock.now() + resetAfterMs + this.margin;
    this.routeUntil.set(route, Math.max(this.routeUntil.get(route) ?? 0, until));
  }
}
