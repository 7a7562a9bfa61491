/**
 * REST rate limits as a user token sees them: fixed windows per (token, route) and per token
 * overall, answered with 429 + `Retry-After`, `X-RateLimit-Scope`, `X-RateLimit-Global`. Every
 * deadline announced in a 429 is remembered; a request arriving before it is a *violation*
 * (what a correct client never does) and is recorded for the report.
 */
import { DiscordHttpError } from './rest/errors.ts';

export interface Budget {
  limit: number;
  windowMs: number;
}

interface Window {
  start: number;
  count: number;
}

/** Clients measure from when they received the 429, so they are always later; this only absorbs timer jitter. */
const VIOLATION_TOLERANCE_MS = 2;

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly deadlines = new Map<string, number>();

  constructor(
    private readonly perRoute: Budget,
    private readonly global: Budget,
  ) {}

  /**
   * Checks one request. Returns the announced deadline it violated (if any) and the 429 to answer
   * (if any). A request inside an announced window is both a violation and answered 429 again.
   */
  check(userId: string, bucket: string, now: number): { violatedDeadline?: number; error?: DiscordHttpError } {
    const globalKey = `${userId}|*`;
    const routeKey = `${userId}|${bucket}`;
    for (const [key, global] of [[globalKey, true], [routeKey, false]] as const) {
      const deadline = this.deadlines.get(key);
      if (deadline !== undefined && now + VIOLATION_TOLERANCE_MS < deadline) {
        return { violatedDeadline: deadline, error: tooManyRequests(deadline - now, global) };
      }
    }
    for (const [key, budget, global] of [[globalKey, this.global, true], [routeKey, this.perRoute, false]] as const) {
      let window = this.windows.get(key);
      if (!window || now - window.start >= budget.windowMs) {
        window = { start: now, count: 0 };
        this.windows.set(key, window);
      }
      window.count++;
      if (window.count > budget.limit) {
        const retryAfter = window.start + budget.windowMs - now;
        this.deadlines.set(key, now + retryAfter);
        return { error: tooManyRequests(retryAfter, global) };
      }
    }
    return {};
  }

  /** Announces a deadline decided elsewhere (an injected 429 fault). */
  announce(userId: string, bucket: string, retryAfterMs: number, global: boolean, now: number): DiscordHttpError {
    this.deadlines.set(global ? `${userId}|*` : `${userId}|${bucket}`, now + retryAfterMs);
    return tooManyRequests(retryAfterMs, global);
  }
}

export function tooManyRequests(retryAfterMs: number, global: boolean): DiscordHttpError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  const headers: Record<string, string> = {
    'retry-after': String(Math.ceil(ms / 1000)),
    'x-ratelimit-scope': global ? 'global' : 'user',
  };
  if (global) headers['x-ratelimit-global'] = 'true';
  return new DiscordHttpError(429, { message: 'You are being rate limited.', retry_after: ms / 1000, global }, headers);
}
