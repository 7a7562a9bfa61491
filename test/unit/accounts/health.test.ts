import { describe, expect, it } from 'vitest';
import {
  HealthMonitor,
  healthAfterVerification,
  healthEventFromError,
  healthEventFromSignal,
  healthPolicyDefaults,
  initialHealth,
  transition,
  type AccountHealth,
  type HealthEvent,
} from '../../../src/accounts/health.ts';
import { DiscordApiError, GatewayFatalError } from '../../../src/discord/index.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const active = initialHealth(NOW - 60_000);

function apply(events: HealthEvent[], start: AccountHealth = active, now = NOW): AccountHealth {
  return events.reduce((h, e) => transition(h, e, now), start);
}

function apiError(kind: DiscordApiError['kind'], extra: Partial<ConstructorParameters<typeof DiscordApiError>[0]> = {}): DiscordApiError {
  return new DiscordApiError({ kind, status: 400, code: 0, method: 'POST', route: '/interactions', discordMessage: 'x', body: undefined, retry: false, ...extra });
}

describe('account health transitions', () => {
  it('turns a revoked token into auth_failed with a re-probe scheduled', () => {
    const h = apply([{ type: 'unauthorized' }]);
    expect(h).toMatchObject({ state: 'auth_failed', reason: 'token_rejected', since: NOW, nextProbeAt: NOW + healthPolicyDefaults.authProbeMs });
    expect(h.state).not.toBe('active');
  });

  it('turns gateway close 4004 into auth_failed and other fatal codes into needs_human', () => {
    expect(apply([{ type: 'gateway_fatal', code: 4004 }]).state).toBe('auth_failed');
    expect(apply([{ type: 'gateway_fatal', code: 4013 }])).toMatchObject({ state: 'needs_human', reason: 'gateway_4013' });
  });

  it.each([
    ['captcha', 'captcha'],
    ['verification_required', 'verification_required'],
    ['moderation_pending', 'moderation_pending'],
  ] as const)('sends %s to needs_human', (type, reason) => {
    expect(apply([{ type }])).toMatchObject({ state: 'needs_human', reason, nextProbeAt: NOW + healthPolicyDefaults.humanProbeMs });
  });

  it('cools an account down after an anti-abuse block, longer each time', () => {
    const first = apply([{ type: 'anti_abuse' }]);
    expect(first).toMatchObject({ state: 'cooling_down', reason: 'anti_abuse', until: NOW + healthPolicyDefaults.antiAbuseCoolMs });
    expect(first.nextProbeAt).toBe(first.until);
    const second = transition({ ...first, state: 'active' }, { type: 'anti_abuse' }, NOW);
    expect(second.until).toBe(NOW + 2 * healthPolicyDefaults.antiAbuseCoolMs);
  });

  it('ignores short 429s and cools down for long ones until the announced time', () => {
    expect(apply([{ type: 'rate_limited', retryAfterMs: 2000 }])).toBe(active);
    const h = apply([{ type: 'rate_limited', retryAfterMs: 120_000, global: true }]);
    expect(h).toMatchObject({ state: 'cooling_down', reason: 'rate_limited', until: NOW + 120_000, nextProbeAt: NOW + 120_000 });
  });

  it('keeps the later deadline when a second long 429 is shorter', () => {
    const h = apply([{ type: 'rate_limited', retryAfterMs: 600_000 }, { type: 'rate_limited', retryAfterMs: 60_000 }]);
    expect(h.until).toBe(NOW + 600_000);
  });

  it('marks network failures unreachable with a growing probe delay', () => {
    const first = apply([{ type: 'network_failure' }]);
    expect(first).toMatchObject({ state: 'unreachable', reason: 'network', nextProbeAt: NOW + healthPolicyDefaults.unreachableProbeMs });
    const second = transition(first, { type: 'network_failure' }, NOW);
    expect(second.nextProbeAt).toBe(NOW + 2 * healthPolicyDefaults.unreachableProbeMs);
    expect(second.since).toBe(first.since);
  });

  it('does not let transient trouble hide a revoked token', () => {
    const revoked = apply([{ type: 'unauthorized' }]);
    const after = transition(revoked, { type: 'network_failure' }, NOW + 1000);
    expect(after).toMatchObject({ state: 'auth_failed', reason: 'token_rejected', since: NOW });
    expect(transition(revoked, { type: 'rate_limited', retryAfterMs: 600_000 }, NOW)).toBe(revoked);
  });

  it('returns to active after a successful probe but keeps counting failures until real work succeeds', () => {
    const revoked = apply([{ type: 'unauthorized' }]);
    const probed = transition(revoked, { type: 'probe_ok' }, NOW + 5000);
    expect(probed).toMatchObject({ state: 'active', reason: 'probe_ok', since: NOW + 5000, failures: 1 });
    expect(probed.nextProbeAt).toBeUndefined();
    expect(probed.state).toBe('active');
    const again = transition(probed, { type: 'unauthorized' }, NOW + 6000);
    expect(again.nextProbeAt).toBe(NOW + 6000 + 2 * healthPolicyDefaults.authProbeMs);
    const worked = transition(probed, { type: 'success' }, NOW + 7000);
    expect(worked.failures).toBe(0);
  });

  it('leaves a healthy account untouched by successes (no write)', () => {
    expect(transition(active, { type: 'success' }, NOW)).toBe(active);
    expect(transition(active, { type: 'probe_ok' }, NOW)).toBe(active);
  });
});

describe('health events from Discord errors and signals', () => {
  it.each([
    ['unauthorized', 'unauthorized'],
    ['captcha', 'captcha'],
    ['verification_required', 'verification_required'],
    ['anti_abuse', 'anti_abuse'],
    ['network', 'network_failure'],
    ['server_error', 'network_failure'],
  ] as const)('maps a %s error to %s', (kind, type) => {
    expect(healthEventFromError(apiError(kind))?.type).toBe(type);
  });

  it('says nothing about the account for errors about one request', () => {
    expect(healthEventFromError(apiError('invalid_form'))).toBeUndefined();
    expect(healthEventFromError(apiError('unknown_message'))).toBeUndefined();
    expect(healthEventFromError(new Error('boom'))).toBeUndefined();
  });

  it('carries retry_after of a rate limit and maps gateway signals', () => {
    expect(healthEventFromError(apiError('rate_limited', { retryAfterMs: 90_000, global: true }))).toEqual({ type: 'rate_limited', retryAfterMs: 90_000, global: true });
    expect(healthEventFromSignal({ type: 'gateway_fatal', error: new GatewayFatalError(4004, 'authentication failed') })?.type).toBe('unauthorized');
    expect(healthEventFromSignal({ type: 'gateway_unreachable', attempts: 4 })?.type).toBe('network_failure');
    expect(healthEventFromSignal({ type: 'required_action', action: 'REQUIRE_VERIFIED_PHONE' })?.type).toBe('verification_required');
    expect(healthEventFromSignal({ type: 'ok', source: 'rest' })).toEqual({ type: 'success' });
    expect(healthEventFromSignal({ type: 'rate_limited', retryAfterMs: 30_000, global: false })).toEqual({ type: 'rate_limited', retryAfterMs: 30_000, global: false });
  });
});

describe('the health monitor', () => {
  function setup(probeResult: () => Promise<HealthEvent>) {
    let now = NOW;
    const saved: Array<[string, AccountHealth]> = [];
    const changes: string[] = [];
    const monitor = new HealthMonitor({
      store: { saveHealth: async (id, h) => void saved.push([id, h]) },
      probe: () => probeResult(),
      now: () => now,
      tickMs: 5,
      onChange: (id, h) => changes.push(`${id}:${h.state}`),
    });
    return { monitor, saved, changes, advance: (ms: number) => (now += ms) };
  }

  it('persists every change and skips writes when nothing changes', async () => {
    const { monitor, saved, changes } = setup(async () => ({ type: 'probe_ok' }));
    monitor.track('a');
    await monitor.report('a', { type: 'success' });
    expect(saved).toEqual([]);
    await monitor.report('a', { type: 'captcha' });
    expect(saved.map(([, h]) => h.state)).toEqual(['needs_human']);
    expect(changes).toEqual(['a:needs_human']);
    expect(monitor.get('a')?.state).not.toBe('active');
  });

  it('re-probes due accounts on schedule and brings them back to active', async () => {
    const { monitor, saved, advance } = setup(async () => ({ type: 'probe_ok' }));
    monitor.track('a');
    monitor.track('b');
    await monitor.report('a', { type: 'unauthorized' });
    monitor.start();
    advance(healthPolicyDefaults.authProbeMs);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (monitor.get('a')?.state === 'active') {
          clearInterval(check);
          resolve();
        }
      }, 2);
    });
    monitor.stop();
    expect(saved.map(([id, h]) => `${id}:${h.state}`)).toEqual(['a:auth_failed', 'a:active']);
    expect(monitor.get('b')?.state).toBe('active');
  });

  it('does not probe before nextProbeAt', async () => {
    let probes = 0;
    const { monitor, advance } = setup(async () => {
      probes++;
      return { type: 'probe_ok' };
    });
    monitor.track('a');
    await monitor.report('a', { type: 'network_failure' });
    await monitor.probeNow('a');
    expect(probes).toBe(1);
    await monitor.report('a', { type: 'network_failure' });
    await monitor.probeDue();
    expect(probes).toBe(1);
    // Second failure in a row: the probe delay has doubled.
    advance(healthPolicyDefaults.unreachableProbeMs);
    await monitor.probeDue();
    expect(probes).toBe(1);
    advance(healthPolicyDefaults.unreachableProbeMs);
    await monitor.probeDue();
    expect(probes).toBe(2);
  });

  it('maps a probe that throws to the matching health event', async () => {
    const { monitor } = setup(async () => {
      throw apiError('unauthorized', { status: 401 });
    });
    monitor.track('a');
    await monitor.report('a', { type: 'network_failure' });
    expect((await monitor.probeNow('a')).state).toBe('auth_failed');
  });
});

describe('health after account verification', () => {
  it('stores a verified account as active and an unreachable Discord as unreachable', () => {
    const user = { id: '1', username: 'u' };
    expect(healthAfterVerification({ ok: true, user, channel: { id: '2', type: 0 } }, NOW)).toMatchObject({ state: 'active', reason: 'verified' });
    expect(healthAfterVerification({ ok: false, reason: 'network_failure', message: 'down' }, NOW)).toMatchObject({ state: 'unreachable', nextProbeAt: NOW + healthPolicyDefaults.unreachableProbeMs });
  });

  it('saves nothing for a rejected token or channel and asks a human for captchas', () => {
    expect(healthAfterVerification({ ok: false, reason: 'token_rejected', message: 'x' }, NOW)).toBeUndefined();
    expect(healthAfterVerification({ ok: false, reason: 'unknown_channel', message: 'x' }, NOW)).toBeUndefined();
    expect(healthAfterVerification({ ok: false, reason: 'no_access', message: 'x' }, NOW)).toBeUndefined();
    const captcha = healthAfterVerification({ ok: false, reason: 'needs_human', message: 'x', error: apiError('captcha') }, NOW);
    expect(captcha).toMatchObject({ state: 'needs_human', reason: 'captcha' });
  });
});
