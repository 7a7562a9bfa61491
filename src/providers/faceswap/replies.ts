/**
 * Reading InsightFaceSwap's messages through its rule table (`rules.ts`, extendable by the
 * operator's rules file): structure first (red embeds, media), then the confirmed wordings, then
 * generic phrases. See `shared/reply-rules.ts` for the order.
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { Credits } from '../../store/index.ts';
import { classify, RuleBook } from '../shared/reply-rules.ts';
import type { CommandStep, Verdict } from '../types.ts';
import { applyCreditFacts, creditFacts } from './credits.ts';
import { faceswapRules } from './rules.ts';

export const faceswapRuleBook = new RuleBook('faceswap', faceswapRules);

export function interpretFaceswap(message: DiscordMessage, step: CommandStep): Verdict {
  return classify(faceswapRuleBook.current, message, step);
}

/** The account's credits after this message, when it says anything about them. */
export function faceswapCredits(previous: Credits | null, message: DiscordMessage, verdict: Verdict, now: number): Credits | undefined {
  const facts = creditFacts(faceswapRuleBook.current, message, verdict);
  if (!facts) return undefined;
  return applyCreditFacts(previous, facts, now, message.timestamp ?? new Date(now).toISOString());
}
