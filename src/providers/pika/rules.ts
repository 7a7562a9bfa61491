/**
 * What switchboard knows of Pika's wording, as data (`real-world.md` §3). Pika's Discord bot was
 * retired in December 2025; its final message was `<@USER> Prompt: …  Author: <@USER>` with the
 * MP4 attached. Progress, queue, too-many-jobs and moderation texts were never public: they are
 * generic phrases here, and the result is recognised by its video.
 */
import { COMMON_ERROR_TITLES, COMMON_MODERATION, COMMON_OUT_OF_CREDITS, COMMON_REFUSALS } from '../shared/common-wording.ts';
import type { ReplyRuleTable } from '../shared/reply-rules.ts';

export const pikaRules: ReplyRuleTable = {
  acknowledgement: [],
  submitted: [],
  progress: [String.raw`(\d{1,3})\s*%`, String.raw`\b(queued|in (the )?queue|generating|thinking|waiting|processing)\b`],
  refusal: [...COMMON_REFUSALS],
  moderation: [...COMMON_MODERATION],
  outOfCredits: [...COMMON_OUT_OF_CREDITS],
  tooManyJobs: [String.raw`\b(already (have|running) \d+ (jobs?|generations?|videos?))\b`, String.raw`\btoo many (jobs|generations|videos)\b`, String.raw`\b(jobs?|generations?) (are )?already in progress\b`],
  errorTitle: [...COMMON_ERROR_TITLES],
  errorColour: [],
  cost: [],
  usage: [],
  optionAliases: {},
};
