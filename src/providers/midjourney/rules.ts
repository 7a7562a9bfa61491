/**
 * The Midjourney bot's wording, as data (midjourney.md C.3, C.5, C.9, C.10). Nothing here is
 * matched before structure: a message is first tied to a job (nonce, interaction id, reference,
 * job hash) and read by its shape (attachments, components, embed colour); these tables only say
 * what a notice *means* once it is known to be one. Every string comes from code that drove the
 * real bot, cited per row; an operator may replace or extend any table (the rules file, checked
 * and merged by `rule-book.ts`), so a change of wording needs no release.
 */

/** What a bot notice does to the job and, for some, to the account. */
export type NoticeOutcome =
  /** The job failed; `retryable` when the same call may work later. */
  | 'failed'
  /** The prompt or image was refused by moderation: the job ends `moderated`. */
  | 'moderated'
  /** Midjourney queued the job behind others: keep tracking it (not a failure). */
  | 'queued'
  /** A human must act on the account in Discord (pending moderation message, CAPTCHA, ToS): 596 until reset. */
  | 'needs_human'
  /** The account cannot work (blocked, no plan): it leaves rotation. */
  | 'disabled';

/** Every outcome, for checking an operator's notice rules. */
export const NOTICE_OUTCOMES = ['failed', 'moderated', 'queued', 'needs_human', 'disabled'] as const satisfies readonly NoticeOutcome[];

export interface NoticeRule {
  /** Stable id, used in logs and by operator overrides. */
  id: string;
  /** Embed titles, compared case-insensitively after trimming; a title matches when it starts with one of them. */
  titles: string[];
  outcome: NoticeOutcome;
  /** For `needs_human` and `disabled`: the job itself ends `moderated` rather than `failed`. */
  jobModerated?: boolean;
  retryable?: boolean;
  /** The HTTP-style code the job records. */
  code: number;
  source: string;
}

export const NOTICE_RULES: readonly NoticeRule[] = [
  { id: 'job-queued', titles: ['Job queued', 'Your job will start shortly'], outcome: 'queued', code: 200, source: 'C.9 ISS novicezk#120; TA; BK; MJFAQ' },
  { id: 'action-needed', titles: ['Action needed to continue'], outcome: 'needs_human', jobModerated: true, code: 422, source: 'C.9 ER; TA; BK; ISS yokonsan#6, trueai#65' },
  { id: 'captcha', titles: ['Action required to continue'], outcome: 'needs_human', code: 596, source: 'C.10 TA OnMessage; BK' },
  { id: 'pending-mod-message', titles: ['Pending mod message'], outcome: 'needs_human', code: 596, source: 'C.9 TA; ER; ISS zcpua#154, trueai#104' },
  { id: 'tos', titles: ['Tos not accepted', 'ToS not accepted'], outcome: 'needs_human', code: 596, source: 'C.9 TA' },
  { id: 'complete-task', titles: ['Please complete the task'], outcome: 'needs_human', code: 596, source: 'C.9 BK' },
  { id: 'blocked', titles: ['Blocked'], outcome: 'disabled', code: 403, source: 'C.9 TA; ISS zcpua#170' },
  { id: 'no-plan', titles: ['Plan Cancelled', 'Subscription required', 'Subscription paused'], outcome: 'disabled', code: 402, source: 'C.9 TA' },
  { id: 'banned-prompt', titles: ['Banned prompt', 'Banned image prompt'], outcome: 'moderated', code: 422, source: 'C.9 BK; TA' },
  { id: 'output-filter', titles: ['Request cancelled due to output filters'], outcome: 'moderated', code: 422, source: 'C.9 TA' },
  { id: 'invalid-parameter', titles: ['Invalid parameter'], outcome: 'failed', code: 400, source: 'C.9 TA; BK; ISS zcpua#195' },
  { id: 'invalid-prompt', titles: ['Invalid prompt', 'Empty prompt'], outcome: 'failed', code: 400, source: 'C.9 TA; BK' },
  { id: 'invalid-link', titles: ['Invalid link'], outcome: 'failed', code: 400, source: 'C.9 TA; BK' },
  { id: 'duplicate-images', titles: ['Duplicate images detected'], outcome: 'failed', code: 400, source: 'C.9 ER' },
  { id: 'queue-full', titles: ['Queue full'], outcome: 'failed', retryable: true, code: 429, source: 'C.9 TA; BK' },
  { id: 'credits-exhausted', titles: ['Credits exhausted'], outcome: 'failed', code: 402, source: 'C.9 TA' },
  { id: 'restricted', titles: ['Invalid request', 'Job action restricted'], outcome: 'failed', code: 422, source: 'C.9 BK' },
];

/** Embed colours (C.9). Red means an error whatever the title says. */
export const EMBED_COLOURS = { error: 0xff0000, warning: 0xffff00, notice: 0xf7cb73, success: 0x00ff00 } as const;

/** Titles outside the table that still read as errors when the colour is not given (C.9, TA). */
export const ERROR_TITLE_WORDS: readonly string[] = ['invalid', 'error', 'denied'];

/** Contents that are not results of anything and are skipped (C.3 TA HandleMessage). */
export const SKIPPED_CONTENTS: readonly string[] = ['Displaying...', 'Animating...'];

/** A content that begins with this is an error from Midjourney (C.3, NZ ErrorMessageHandler). */
export const FAILED_CONTENT_PREFIX = 'Failed';

/** Replies of `/fast`, `/relax`, `/turbo` and `/prefer remix` start like this (A.9, C.5). */
export const MODE_REPLY_PREFIXES: readonly string[] = ['Done!', 'Remix mode turned'];

/** The `/info` embed's title contains this (C.5). */
export const INFO_TITLE = 'Your info';

/** The `/info` key holding `remaining/total` fast hours (C.5, C.10). */
export const INFO_FAST_TIME_KEY = 'Fast Time Remaining';

/** The `/info` key holding the current speed mode (C.5). */
export const INFO_JOB_MODE_KEY = 'Job Mode';

/** Text inputs of the bot's modals that hold the prompt (C.8): `…::new_prompt`, `…::prompt`, `…PromptField` (regular expressions, case-insensitive). */
export const MODAL_PROMPT_FIELDS: readonly string[] = ['::new_prompt$', '::prompt$', 'PromptField$'];

/** The gateway's human-check modal (C.10): an iframe modal with this title, or a captcha `iframe_path` (NZ: `/captcha/embedded/`). */
export const CAPTCHA_MODAL = { title: 'Action required to continue', iframePath: '/captcha/' } as const;

/** Finds the notice rule for an embed title. */
export function noticeRule(title: string, rules: readonly NoticeRule[] = NOTICE_RULES): NoticeRule | undefined {
  const t = title.trim().toLowerCase();
  if (!t) return undefined;
  return rules.find((r) => r.titles.some((x) => t.startsWith(x.toLowerCase())));
}
