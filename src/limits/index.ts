/**
 * Budgets that keep one tenant from hurting the others through Discord: a per-token budget for
 * calls that reach Discord on the caller's behalf (account saves, bring-your-own tokens), and a
 * server-wide ceiling on Discord calls that fail authentication — Discord blocks an IP that sends
 * many invalid-token requests (its documented limit is 10,000 per 10 minutes, "Cloudflare ban";
 * https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans),
 * which would take every tenant down. Counters are per process (fixed one-minute windows).
 */
import { ApiError } from '../errors/index.ts';

/** A 429 in the useapi envelope that also tells the client when to come back (`Retry-After`). */
export class RateLimitedError extends ApiError {
  constructor(message: string, retryAfterSeconds: number, errorDetails?: string) {
    super(429, message, errorDetails);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Counts events per key in fixed windows; `hit` says whether the event fits. */
export class WindowCounter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  #window(key: string) {
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
      // Bounded: old windows of idle keys are dropped as new ones arrive.
      if (this.#windows.size > 10_000) for (const [k, w] of this.#windows) if (now - w.start >= this.windowMs) this.#windows.delete(k);
    }
    return window;
  }

  /** Seconds until the key's window resets when it is full, else 0. */
  full(key: string): number {
    const window = this.#window(key);
    return window.count >= this.limit ? Math.max(1, Math.ceil((window.start + this.windowMs - this.now()) / 1000)) : 0;
  }

  /** Records one event; returns the seconds to wait when it did not fit (then nothing is recorded). */
  hit(key: string): number {
    const wait = this.full(key);
    if (wait === 0) this.#window(key).count++;
    return wait;
  }

  record(key: string): void {
    this.#window(key).count++;
  }
}

export interface DiscordBudgetOptions {
  /** Calls per minute per tenant that reach Discord for the caller; 0 = unlimited. */
  perTenant: number;
  /** Discord authentication failures per minute across the server before such calls stop; 0 = unlimited. */
  authFailures: number;
  now?: () => number;
}

export class DiscordBudget {
  readonly #tenants: WindowCounter | undefined;
  readonly #failures: WindowCounter | undefined;

  constructor(options: DiscordBudgetOptions) {
    this.#tenants = options.perTenant > 0 ? new WindowCounter(options.perTenant, 60_000, options.now) : undefined;
    this.#failures = options.authFailures > 0 ? new WindowCounter(options.authFailures, 60_000, options.now) : undefined;
  }

  /** Call before reaching Discord with a caller's token; throws a {@link RateLimitedError} when over budget. */
  spend(tenantId: string): void {
    const ceiling = this.#failures?.full('server') ?? 0;
    if (ceiling > 0) {
      throw new RateLimitedError('Too many Discord authentication failures on this server; calls that check new Discord tokens are paused', ceiling, 'protects the server from being blocked by Discord for invalid tokens');
    }
    const wait = this.#tenants?.hit(tenantId) ?? 0;
    if (wait > 0) throw new RateLimitedError('Too many calls that reach Discord for this API token (account saves, bring-your-own tokens)', wait, 'SWITCHBOARD_DISCORD_RATE_LIMIT per minute');
  }

  /** Records a Discord call that failed authentication (401, Gateway close 4004). */
  authFailed(): void {
    this.#failures?.record('server');
  }
}
