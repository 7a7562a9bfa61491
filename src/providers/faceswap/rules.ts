/**
 * What switchboard knows of InsightFaceSwap's wording, as data (`real-world.md` §2). Only two
 * texts are confirmed: the acknowledgement `command sent` and
 * `<@USER>  Picsi.Ai Headshot Job Submitted [jobid: <32 hex>] [credits: 4] [prompt: '…']`.
 * Everything else is read by structure (media, red embeds) or by the generic phrases of
 * `shared/common-wording.ts`. Operators extend or replace any list with `SWITCHBOARD_BOT_RULES`.
 *
 * Where the bot prints the account's used/total credits is not public, so `usage` is empty: the
 * account's `used` is the sum of the per-job costs the bot printed since the last reset.
 */
import { COMMON_ERROR_TITLES, COMMON_MODERATION, COMMON_OUT_OF_CREDITS, COMMON_REFUSALS } from '../shared/common-wording.ts';
import type { ReplyRuleTable } from '../shared/reply-rules.ts';

export const faceswapRules: ReplyRuleTable = {
  acknowledgement: [String.raw`^\W*command sent\b`],
  submitted: [String.raw`\bJob Submitted\b[^\n]*\[jobid:\s*[0-9a-f]{32}\]`, String.raw`\bJob Submitted\b`],
  progress: [String.raw`\b(processing|in (the )?queue|queued|working on (it|your))\b`],
  refusal: [
    ...COMMON_REFUSALS,
    // The bot's guide: names are letters and digits, at most 10; at most 20 saved identities.
    String.raw`\b(idname|id name|identity|face id)\b[^.\n]{0,40}\b(not found|does ?n[o']?t exist|is not saved|not saved yet)\b`,
    String.raw`\byou can (only )?(save|have|keep|use) (at most|up to|a maximum of) \d+\b`,
  ],
  moderation: [...COMMON_MODERATION],
  outOfCredits: [...COMMON_OUT_OF_CREDITS],
  tooManyJobs: [],
  errorTitle: [...COMMON_ERROR_TITLES],
  errorColour: [],
  cost: [String.raw`\[credits:\s*(\d+)\s*\]`],
  usage: [],
  optionAliases: {},
};
