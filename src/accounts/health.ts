/**
 * Account health: a state machine with reasons and timestamps, never a silent boolean
 * (design principle 5). {@link transition} is pure; {@link HealthMonitor} keeps the current state
 * of each tracked account, persists every change through a narrow {@link HealthStore}, and
 * re-probes unhealthy accounts on schedule so they come back by themselves when Discord accepts
 * them again. Which accounts take work is decided in one place, `account-selector.ts`
 * (only `active` ones do).
 */
import { DiscordApiError, GatewayFatalError, isProxyFailure, type AccountSignal, type VerifyAccountResult } from '../discord/index.ts';

import type { HealthState } from '../store/index.ts';

export { HEALTH_STATES, type HealthState } from '../store/index.ts';

export interface AccountHealth {
  state: HealthState;
  /** Machine-readable cause, e.g. `token_rejected`, `captcha`, `rate_limited`, `network`, `probe_ok`. */
  reason: string;
  /** Human-readable detail (never contains a token). */
  detail?: string;
  /** When the account entered this state (epoch ms). */
  since: number;
  /** End of a `cooling_down` period (epoch ms). */
  until?: number;
  /** When the re-prober checks the account next (epoch ms); absent while `active`. */
  nextProbeAt?: number;
  /** Consecutive failures without real work succeeding: drives the probe backoff. */
  failures: number;
  updatedAt: number;
}

export type HealthEvent =
  /** Discord accepted real work (a request, a READY). */
  | { type: 'success' }
  /** `GET /users/@me` succeeded. */
  | { type: 'probe_ok' }
  /** 401, or gateway close 4004: token revoked or invalid. */
  | { type: 'unauthorized'; detail?: string }
  | { type: 'captcha'; detail?: string }
  | { type: 'verification_required'; detail?: string }
  | { type: 'moderation_pending'; detail?: string }
  /** 403 + 10008: a request blocked by anti-abuse. */
  | { type: 'anti_abuse'; detail?: string }
  | { type: 'rate_limited'; retryAfterMs: number; global?: boolean }
  /** `reason` `proxy_unreachable` when the account's own proxy refused or timed out (default `network`). */
  | { type: 'network_failure'; detail?: string; reason?: string }
  /** A gateway close the table marks fatal other than 4004 (configuration errors). */
  | { type: 'gateway_fatal'; code: number; detail?: string };

export interface HealthPolicy {
  /** A 429 asking for less than this does not change the state (the REST client sits it out). */
  coolingThresholdMs: number;
  /** First re-probe delay of an `auth_failed` account; doubles per failure up to `maxProbeMs`. */
  authProbeMs: number;
  /** First re-probe delay of a `needs_human` account. */
  humanProbeMs: number;
  /** First re-probe delay of an `unreachable` account. */
  unreachableProbeMs: number;
  /** Cooling period after an anti-abuse block; doubles per failure. */
  antiAbuseCoolMs: number;
  maxProbeMs: number;
}

export const healthPolicyDefaults = {
  coolingThresholdMs: 10_000,
  authProbeMs: 10 * 60_000,
  humanProbeMs: 30 * 60_000,
  unreachableProbeMs: 15_000,
  antiAbuseCoolMs: 30 * 60_000,
  maxProbeMs: 6 * 60 * 60_000,
} as const satisfies HealthPolicy;

export function initialHealth(now: number): AccountHealth {
  return { state: 'active', reason: 'created', since: now, failures: 0, updatedAt: now };
}

/** How bad a state is: a transient event never hides a worse, still unresolved state. */
const SEVERITY: Record<HealthState, number> = { active: 0, cooling_down: 1, unreachable: 1, needs_human: 2, auth_failed: 3 };

/**
 * The next health of an account after `event` at `now`. Returns the same object when nothing
 * changes (callers skip the write).
 */
export function transition(current: AccountHealth, event: HealthEvent, now: number, policy: HealthPolicy = healthPolicyDefaults): AccountHealth {
  const failures = current.failures + 1;
  const backoff = (base: number): number => Math.min(policy.maxProbeMs, base * 2 ** Math.min(20, failures - 1));
  const enter = (state: HealthState, reason: string, extra: Partial<AccountHealth> = {}): AccountHealth => ({
    state,
    reason,
    ...(('detail' in event && event.detail) ? { detail: event.detail } : {}),
    since: current.state === state ? current.since : now,
    failures,
    updatedAt: now,
    ...extra,
  });
  // Transient trouble while a worse state is unresolved: keep the state, just look again later.
  const reschedule = (base: number): AccountHealth => ({ ...current, failures, nextProbeAt: now + backoff(base), updatedAt: now });

  // A bot's moderation notice lives in the bot's messages, which neither a token probe nor other
  // work can see: only an operator's reset (which replaces the stored health) clears it.
  const held = current.state === 'needs_human' && current.reason === 'moderation_pending';
  switch (event.type) {
    case 'success':
      if (held) return current;
      if (current.state === 'active' && current.failures === 0) return current;
      return { state: 'active', reason: 'request_ok', since: current.state === 'active' ? current.since : now, failures: 0, updatedAt: now };
    case 'probe_ok':
      // A probe proves the token works, not that the trouble is gone: failures keep counting
      // until real work succeeds, so an account that keeps failing is probed less and less often.
      if (current.state === 'active') return current;
      if (held) return reschedule(policy.humanProbeMs);
      return { state: 'active', reason: 'probe_ok', since: now, failures: current.failures, updatedAt: now };
    case 'unauthorized':
      return enter('auth_failed', 'token_rejected', { nextProbeAt: now + backoff(policy.authProbeMs) });
    case 'gateway_fatal':
      if (event.code === 4004) return enter('auth_failed', 'token_rejected', { detail: 'gateway closed with 4004', nextProbeAt: now + backoff(policy.authProbeMs) });
      return enter('needs_human', `gateway_${event.code}`, { nextProbeAt: now + backoff(policy.humanProbeMs) });
    case 'captcha':
      return enter('needs_human', 'captcha', { nextProbeAt: now + backoff(policy.humanProbeMs) });
    case 'verification_required':
      return enter('needs_human', 'verification_required', { nextProbeAt: now + backoff(policy.humanProbeMs) });
    case 'moderation_pending':
      return enter('needs_human', 'moderation_pending', { nextProbeAt: now + backoff(policy.humanProbeMs) });
    case 'anti_abuse': {
      if (SEVERITY[current.state] > SEVERITY.cooling_down) return reschedule(policy.humanProbeMs);
      const until = now + backoff(policy.antiAbuseCoolMs);
      return enter('cooling_down', 'anti_abuse', { until, nextProbeAt: until });
    }
    case 'rate_limited': {
      if (event.retryAfterMs < policy.coolingThresholdMs) return current;
      if (SEVERITY[current.state] > SEVERITY.cooling_down) return current;
      const until = Math.max(now + event.retryAfterMs, current.state === 'cooling_down' ? (current.until ?? 0) : 0);
      return enter('cooling_down', 'rate_limited', { until, nextProbeAt: until, detail: `Discord asked to wait ${Math.ceil(event.retryAfterMs / 1000)} s${event.global ? ' (global)' : ''}` });
    }
    case 'network_failure':
      if (SEVERITY[current.state] > SEVERITY.unreachable) return reschedule(policy.unreachableProbeMs);
      return enter('unreachable', event.reason ?? 'network', { nextProbeAt: now + backoff(policy.unreachableProbeMs) });
  }
}


/** Maps a Discord client error to a health event (undefined: says nothing about the account). */
export function healthEventFromError(error: unknown): HealthEvent | undefined {
  if (error instanceof GatewayFatalError) {
    return error.closeCode === 4004 ? { type: 'unauthorized', detail: 'gateway closed with 4004' } : { type: 'gateway_fatal', code: error.closeCode };
  }
  if (!(error instanceof DiscordApiError)) return undefined;
  switch (error.kind) {
    case 'unauthorized':
      return { type: 'unauthorized', detail: `${error.method} ${error.route} answered 401` };
    case 'captcha':
      return { type: 'captcha', detail: `${error.method} ${error.route} asked for a captcha` };
    case 'verification_required':
      return { type: 'verification_required', detail: error.message };
    case 'anti_abuse':
      return { type: 'anti_abuse', detail: `${error.method} ${error.route} was blocked by anti-abuse` };
    case 'rate_limited':
      return { type: 'rate_limited', retryAfterMs: error.retryAfterMs ?? 0, global: error.global };
    case 'network':
      // Through a proxy that refused or timed out: the proxy is the problem, not Discord or the token.
      if (isProxyFailure(error.cause)) return { type: 'network_failure', detail: error.message, reason: 'proxy_unreachable' };
      return { type: 'network_failure', detail: error.message };
    case 'cloudflare_blocked':
      return { type: 'network_failure', detail: error.message };
    case 'server_error':
      return { type: 'network_failure', detail: error.message };
    default:
      return undefined; // 4xx about one request (unknown message, bad form…) say nothing about the account
  }
}

/** Maps a {@link DiscordAccountClient} signal to a health event. */
export function healthEventFromSignal(signal: AccountSignal): HealthEvent | undefined {
  switch (signal.type) {
    case 'ok':
      return { type: 'success' };
    case 'api_error':
    case 'gateway_fatal':
      return healthEventFromError(signal.error);
    case 'rate_limited':
      return { type: 'rate_limited', retryAfterMs: signal.retryAfterMs, global: signal.global };
    case 'gateway_unreachable':
      if (signal.proxy) return { type: 'network_failure', detail: signal.detail ?? `gateway through proxy ${signal.proxy}: ${signal.attempts} connection attempts failed`, reason: 'proxy_unreachable' };
      return { type: 'network_failure', detail: `gateway: ${signal.attempts} connection attempts failed` };
    case 'required_action':
      return { type: 'verification_required', detail: `READY required_action ${signal.action}` };
  }
}

/**
 * The health to store with an account saved after {@link verifyAccount}: `active` when Discord
 * accepted token and channel, `unreachable` (re-probed later) when Discord could not be reached,
 * `needs_human` for captcha/verification, `cooling_down` when rate limited. `undefined` means the
 * token or channel was rejected: the API answers 400 and saves nothing.
 */
export function healthAfterVerification(result: VerifyAccountResult, now: number, policy: HealthPolicy = healthPolicyDefaults): AccountHealth | undefined {
  const fresh = initialHealth(now);
  if (result.ok) return { ...fresh, reason: 'verified' };
  switch (result.reason) {
    case 'network_failure': {
      const event = result.error && healthEventFromError(result.error);
      return transition(fresh, event?.type === 'network_failure' ? event : { type: 'network_failure', detail: result.message }, now, policy);
    }
    case 'rate_limited':
      return transition(fresh, { type: 'rate_limited', retryAfterMs: Math.max(policy.coolingThresholdMs, result.error?.retryAfterMs ?? 0) }, now, policy);
    case 'needs_human': {
      const event: HealthEvent = (result.error && healthEventFromError(result.error)) || { type: 'verification_required', detail: result.message };
      return transition(fresh, event, now, policy);
    }
    default:
      return undefined;
  }
}

/** The persistence the monitor needs (implemented by the store). */
export interface HealthStore {
  saveHealth(accountId: string, health: AccountHealth): Promise<void>;
}

export interface HealthMonitorOptions {
  store: HealthStore;
  /**
   * Checks an account against Discord (typically `GET /users/@me`) and says what it found:
   * `{type:'probe_ok'}` or a failure event. A thrown error is mapped with {@link healthEventFromError}.
   */
  probe: (accountId: string) => Promise<HealthEvent>;
  policy?: Partial<HealthPolicy>;
  now?: () => number;
  /** How often due probes are looked for. Default 1 s. */
  tickMs?: number;
  /** Probes running at once. Default 2. */
  concurrency?: number;
  onChange?: (accountId: string, health: AccountHealth, previous: AccountHealth) => void;
  /** Called when saving fails (the in-memory state still changes). */
  onSaveError?: (accountId: string, error: unknown) => void;
}

/**
 * Tracks the health of accounts, persists every change, and re-probes unhealthy accounts when
 * their `nextProbeAt` comes. A background loop with `start()`/`stop()`.
 */
export class HealthMonitor {
  private readonly health = new Map<string, AccountHealth>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly probing = new Set<string>();
  private readonly policy: HealthPolicy;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.policy = { ...healthPolicyDefaults, ...options.policy };
    this.now = options.now ?? Date.now;
  }

  /** Starts tracking an account with its stored health (default: active). */
  track(accountId: string, health?: AccountHealth): void {
    this.health.set(accountId, health ?? initialHealth(this.now()));
  }

  untrack(accountId: string): void {
    this.health.delete(accountId);
  }

  get(accountId: string): AccountHealth | undefined {
    return this.health.get(accountId);
  }


  /** Applies an event; persists and notifies when the health changed. Calls per account run in order. */
  report(accountId: string, event: HealthEvent): Promise<AccountHealth> {
    const previousChain = this.chains.get(accountId) ?? Promise.resolve();
    const next = previousChain.then(async () => {
      const previous = this.health.get(accountId);
      if (!previous) throw new Error(`account ${accountId} is not tracked`);
      const updated = transition(previous, event, this.now(), this.policy);
      if (updated === previous) return previous;
      this.health.set(accountId, updated);
      try {
        await this.options.store.saveHealth(accountId, updated);
      } catch (error) {
        this.options.onSaveError?.(accountId, error);
      }
      if (updated.state !== previous.state || updated.reason !== previous.reason) this.options.onChange?.(accountId, updated, previous);
      return updated;
    });
    const settled = next.catch(() => undefined);
    this.chains.set(accountId, settled);
    void settled.then(() => {
      if (this.chains.get(accountId) === settled) this.chains.delete(accountId);
    });
    return next;
  }

  /** Probes one account now, whatever its schedule. */
  async probeNow(accountId: string): Promise<AccountHealth> {
    let event: HealthEvent;
    try {
      event = await this.options.probe(accountId);
    } catch (error) {
      event = healthEventFromError(error) ?? { type: 'network_failure', detail: error instanceof Error ? error.message : String(error) };
    }
    return this.report(accountId, event);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.probeDue();
      this.schedule();
    }, this.options.tickMs ?? 1000);
    this.timer.unref?.();
  }

  /** Probes every unhealthy account whose `nextProbeAt` has come (what the loop runs each tick). */
  async probeDue(): Promise<void> {
    const now = this.now();
    const limit = this.options.concurrency ?? 2;
    const started: Promise<unknown>[] = [];
    for (const [accountId, health] of this.health) {
      if (this.probing.size >= limit) break;
      if (health.state === 'active' || this.probing.has(accountId)) continue;
      if ((health.nextProbeAt ?? 0) > now) continue;
      this.probing.add(accountId);
      started.push(
        this.probeNow(accountId)
          .catch(() => undefined)
          .finally(() => this.probing.delete(accountId)),
      );
    }
    await Promise.all(started);
  }
}
