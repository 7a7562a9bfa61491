/**
 * The Midjourney-only fields of a job (A.10), read from what the job already holds — the bot's
 * latest message (`content`, `embeds`, `attachments`) — so nothing beyond the common job row is
 * stored: the progress percentage and speed mode of the latest edit, whether Midjourney queued
 * the job, the describe suggestions, and the children made by its buttons.
 */
import type { JobRecord } from '../../store/index.ts';
import { DEFAULT_MAX_JOBS } from './account.ts';
import { jobHash } from './buttons.ts';
import { parseContent } from './content.ts';
import { describePrompts } from './replies.ts';
import { midjourneyRuleBook } from './rule-book.ts';
import { noticeRule } from './rules.ts';

export interface ChildLink {
  button: string;
  jobid: string;
  messageId?: string;
}

type Embed = { title?: unknown; description?: unknown };

/** `children` of a job (A.5): each button pressed on it, `{button, jobid, messageId}`. */
export function childLinks(children: readonly Pick<JobRecord, 'jobid' | 'button' | 'messageId'>[]): ChildLink[] {
  return children.map((c) => ({ button: c.button ?? '', jobid: c.jobid, ...(c.messageId ? { messageId: c.messageId } : {}) }));
}

export function renderMidjourneyExtras(job: JobRecord): Record<string, unknown> {
  const parsed = parseContent(job.content);
  const running = job.status === 'started' || job.status === 'progress';
  const embeds = (job.embeds ?? []) as Embed[];
  const queued = running && embeds.some((e) => typeof e.title === 'string' && noticeRule(e.title, midjourneyRuleBook.current.notices)?.outcome === 'queued');
  const describe = job.verb === 'midjourney-describe' && job.status === 'completed' ? embeds.find((e) => typeof e.description === 'string' && e.description !== '') : undefined;
  const hash = jobHash({ attachments: (job.attachments ?? []) as { filename?: string }[] });
  return {
    // useapi's verbs are the bare command names (`imagine`, `button` …).
    verb: job.verb.replace(/^midjourney-/, ''),
    maxJobs: job.maxJobs ?? DEFAULT_MAX_JOBS,
    ...(running && parsed?.percent !== undefined ? { progress: parsed.percent } : {}),
    ...(parsed?.mode ? { mode: parsed.mode } : {}),
    ...(queued ? { midjourneyQueued: true } : {}),
    ...(hash && job.status === 'completed' ? { midjourneyJobId: hash } : {}),
    ...(describe ? { prompts: describePrompts(describe.description as string) } : {}),
  };
}
