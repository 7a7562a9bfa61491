/**
 * Faceswap's eligibility rule: an account whose credits are used up takes no work until the bot
 * resets them. WHEN the bot resets is this provider's knowledge, kept behind
 * {@link CreditsReset}: the default assumes a daily reset at 00:00 UTC, the only rule the bot's
 * messages have shown so far. To change it (e.g. a configurable reset time), replace
 * `creditsReset` below — nothing outside this folder assumes a reset rule.
 */
import type { AccountRecord, Credits } from '../../store/index.ts';
import type { Ineligible } from '../types.ts';

/** The first moment after `seenAt` (epoch ms) at which credits seen then are renewed. */
export type CreditsReset = (seenAt: number) => number;

/** Daily at 00:00 UTC. */
export const dailyUtcMidnight: CreditsReset = (seenAt) => {
  const day = new Date(seenAt);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
};

/** The reset rule faceswap accounts use (the hook to make it configurable). */
export let creditsReset: CreditsReset = dailyUtcMidnight;

/** Replaces the reset rule (configuration, tests). */
export function setCreditsReset(reset: CreditsReset): void {
  creditsReset = reset;
}

/** Whether credits seen at some time still allow work at `now`. */
export function hasCreditsLeft(credits: Credits | null, now: number, reset: CreditsReset = creditsReset): boolean {
  if (!credits || credits.used < credits.total) return true;
  const seen = Date.parse(credits.timestamp);
  return Number.isFinite(seen) && now >= reset(seen);
}

export function faceswapEligible(account: AccountRecord, now: number): Ineligible | undefined {
  if (hasCreditsLeft(account.credits, now)) return undefined;
  const credits = account.credits!;
  return { reason: 'has no credits left until the daily reset', detail: `used ${credits.used} of ${credits.total}; resets ${new Date(creditsReset(Date.parse(credits.timestamp))).toISOString()}` };
}
