/**
 * Honest credits for InsightFaceSwap (`real-world.md` §2): the bot prints a per-job cost
 * (`[credits: 4]`); where it prints the account's used/total, and when credits reset, is not
 * public. So:
 *
 * - `used` is the sum of the costs the bot printed since the last reset (or the bot's own figure
 *   when an operator rule, `usage`, knows where it prints one); `total` only when such a rule
 *   reads it;
 * - the account is out of credits when the bot *refuses* a command saying so (an `outOfCredits`
 *   rule), or when a known `total` is reached;
 * - it is put back by the reset rule `SWITCHBOARD_CREDITS_RESET`, default `after:24h` (24 hours
 *   after the refusal); `daily@HH:MM` (UTC) resets at that time each day; `never` leaves it to
 *   the operator (saving the account again clears it).
 *
 * A cost is counted once per job: a message that carries the bot's own `[jobid: …]` counts only
 * when it is the "Job Submitted" acknowledgement (the completed message repeats the jobid and
 * cost); any other message counts when it is the job's result.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { AccountRecord, Credits } from '../../store/index.ts';
import { costOf, usageOf, type CompiledRules } from '../shared/reply-rules.ts';
import type { Ineligible, Verdict } from '../types.ts';

export type CreditReset = { kind: 'after'; ms: number } | { kind: 'daily'; minuteOfDay: number } | { kind: 'never' };

export const DEFAULT_CREDIT_RESET = 'after:24h';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a reset rule; returns an error message for a bad one. */
export function parseCreditReset(raw: string): CreditReset | { error: string } {
  const value = raw.trim().toLowerCase();
  if (value === 'never') return { kind: 'never' };
  const after = /^after:(\d+)\s*([smhd])$/.exec(value);
  if (after) {
    const ms = Number(after[1]) * UNIT_MS[after[2]!]!;
    if (ms < 60_000) return { error: `'${raw}' is shorter than a minute` };
    return { kind: 'after', ms };
  }
  const daily = /^daily@([01]\d|2[0-3]):([0-5]\d)z?$/.exec(value);
  if (daily) return { kind: 'daily', minuteOfDay: Number(daily[1]) * 60 + Number(daily[2]) };
  return { error: `'${raw}' is not a reset rule: use after:<N><s|m|h|d> (e.g. after:24h), daily@HH:MM (UTC) or never` };
}

let reset: CreditReset = parseCreditReset(DEFAULT_CREDIT_RESET) as CreditReset;

/** Installs the reset rule in force (from configuration). */
export function setCreditReset(rule: CreditReset): void {
  reset = rule;
}

export function creditReset(): CreditReset {
  return reset;
}

/** The first reset moment after `from` (epoch ms), or undefined when the rule never resets. */
export function nextReset(from: number, rule: CreditReset = reset): number | undefined {
  switch (rule.kind) {
    case 'never':
      return undefined;
    case 'after':
      return from + rule.ms;
    case 'daily': {
      const day = Math.floor(from / 86_400_000) * 86_400_000;
      const today = day + rule.minuteOfDay * 60_000;
      return today > from ? today : today + 86_400_000;
    }
  }
}

/**
 * The credits as they stand at `now`: a period that the reset rule has ended starts again at
 * zero. With `after:` the period ends that long after the out-of-credits refusal; with `daily@`
 * at the daily moment after the last figure the bot revealed.
 */
export function currentCredits(credits: Credits | null, now: number, rule: CreditReset = reset): Credits | null {
  if (!credits) return null;
  const since = periodMark(credits, rule);
  if (since === undefined || !Number.isFinite(since)) return credits;
  const at = nextReset(since, rule);
  if (at === undefined || now < at) return credits;
  const { exhaustedAt: _cleared, ...rest } = credits;
  return { ...rest, used: 0 };
}

/** What the reset rule counts from: the refusal (or the figure that reached the total) for `after:`, the last figure for `daily@`. */
function periodMark(credits: Credits, rule: CreditReset): number | undefined {
  if (rule.kind !== 'after') return Date.parse(credits.timestamp);
  if (credits.exhaustedAt !== undefined) return credits.exhaustedAt;
  return credits.total !== undefined && credits.used >= credits.total ? Date.parse(credits.timestamp) : undefined;
}

export function outOfCredits(credits: Credits | null, now: number, rule: CreditReset = reset): boolean {
  const current = currentCredits(credits, now, rule);
  if (!current) return false;
  return current.exhaustedAt !== undefined || (current.total !== undefined && current.used >= current.total);
}

/** When an out-of-credits account is expected back (epoch ms), if the rule says. */
export function expectedBack(credits: Credits | null, rule: CreditReset = reset): number | undefined {
  if (!credits) return undefined;
  const since = periodMark(credits, rule);
  return since === undefined || !Number.isFinite(since) ? undefined : nextReset(since, rule);
}

/** What one bot message says about credits. */
export interface CreditFacts {
  cost?: number;
  usage?: { used: number; total?: number };
  outOfCredits?: boolean;
}

export function creditFacts(rules: CompiledRules, message: DiscordMessage, verdict: Verdict): CreditFacts | undefined {
  const facts: CreditFacts = {};
  const cost = costOf(rules, message);
  const hasBotJobId = /\[jobid:\s*[0-9a-f]{8,}\s*\]/i.test(message.content ?? '');
  if (cost !== undefined && (hasBotJobId ? verdict.kind === 'submitted' : verdict.kind === 'done')) facts.cost = cost;
  const usage = usageOf(rules, message);
  if (usage) facts.usage = usage;
  if (verdict.kind === 'failed' && verdict.outOfCredits) facts.outOfCredits = true;
  return facts.cost !== undefined || facts.usage || facts.outOfCredits ? facts : undefined;
}

/** The account's credits after a message's facts. */
export function applyCreditFacts(previous: Credits | null, facts: CreditFacts, now: number, timestamp: string, rule: CreditReset = reset): Credits {
  const base = currentCredits(previous, now, rule) ?? { timestamp, used: 0 };
  let next: Credits = { ...base, timestamp };
  if (facts.usage) {
    next = { ...next, used: facts.usage.used, ...(facts.usage.total !== undefined ? { total: facts.usage.total } : {}) };
  } else if (facts.cost !== undefined) {
    next = { ...next, used: next.used + facts.cost };
  }
  if (facts.outOfCredits) next = { ...next, exhaustedAt: now };
  return next;
}

/**
 * Faceswap's eligibility rule (the provider hook `eligible`): an out-of-credits account takes no
 * work until the reset rule puts it back. Completes "Channel <channel> …".
 */
export function faceswapEligible(account: AccountRecord, now: number): Ineligible | undefined {
  if (!outOfCredits(account.credits, now)) return undefined;
  const back = expectedBack(account.credits);
  const rule = reset.kind === 'after' ? `after:${Math.round(reset.ms / 60_000)}m` : reset.kind === 'daily' ? `daily@${String(Math.floor(reset.minuteOfDay / 60)).padStart(2, '0')}:${String(reset.minuteOfDay % 60).padStart(2, '0')} UTC` : 'never';
  return {
    reason: `has no credits left${back !== undefined ? ` until ${new Date(back).toISOString()}` : ''}`,
    detail: `the bot said so; credits come back by the reset rule ${rule} (SWITCHBOARD_CREDITS_RESET)${back === undefined ? ', or when the account is saved again' : ''}`,
  };
}

/** The same rule as a yes/no with the error a call gets (tests, CLI). */
export function creditEligibility(account: AccountRecord, now: number): { ok: true } | { ok: false; error: string; detail: string } {
  const refusal = faceswapEligible(account, now);
  return refusal ? { ok: false, error: `Channel ${account.channel} ${refusal.reason}`, detail: refusal.detail ?? '' } : { ok: true };
}

/** The account's `credits` as the account API shows them: useapi's fields plus what is known. */
export function renderCredits(credits: Credits | null, now: number): Record<string, unknown> | undefined {
  const current = currentCredits(credits, now);
  if (!current) return undefined;
  const back = current.exhaustedAt !== undefined || (current.total !== undefined && current.used >= current.total) ? expectedBack(current) : undefined;
  return {
    timestamp: current.timestamp,
    ...(current.total !== undefined ? { total: current.total } : {}),
    used: current.used,
    ...(current.exhaustedAt !== undefined || (current.total !== undefined && current.used >= current.total) ? { outOfCredits: true } : {}),
    ...(back !== undefined ? { resetsAt: new Date(back).toISOString() } : {}),
  };
}
