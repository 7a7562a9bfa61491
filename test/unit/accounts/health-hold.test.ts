/** A bot's moderation notice holds an account with a human until an operator resets it. */
import { describe, expect, it } from 'vitest';
import { initialHealth, transition } from '../../../src/accounts/health.ts';

describe('a held account (moderation_pending)', () => {
  const held = transition(initialHealth(0), { type: 'moderation_pending', detail: 'Action needed to continue' }, 1000);

  it('needs a human, with the notice as its detail', () => {
    expect(held).toMatchObject({ state: 'needs_human', reason: 'moderation_pending', detail: 'Action needed to continue' });
  });

  it('stays held when a token probe or other work succeeds: neither can see the bot’s notice', () => {
    expect(transition(held, { type: 'success' }, 2000)).toBe(held);
    const probed = transition(held, { type: 'probe_ok' }, 3000);
    expect(probed).toMatchObject({ state: 'needs_human', reason: 'moderation_pending' });
    expect(probed.nextProbeAt).toBeGreaterThan(3000);
  });

  it('still records worse news (a revoked token)', () => {
    expect(transition(held, { type: 'unauthorized' }, 4000).state).toBe('auth_failed');
  });

  it('other needs_human reasons still clear on a good probe', () => {
    const captcha = transition(initialHealth(0), { type: 'captcha' }, 1000);
    expect(transition(captcha, { type: 'probe_ok' }, 2000).state).toBe('active');
  });
});
