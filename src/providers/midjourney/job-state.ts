/**
 * What a Midjourney job remembers beyond the common job fields, and how it shows (A.10): the
 * percentage and speed mode of the latest progress edit, the Midjourney job hash (for buttons
 * when the result message is gone), whether Midjourney queued it, and its children.
 */
import type { JobRecord } from '../../store/index.ts';
import { DEFAULT_MAX_JOBS } from './account.ts';
import type { SpeedMode } from './content.ts';

export interface MidjourneyJobState {
  /** Latest `(NN%)`. */
  percent?: number;
  mode?: SpeedMode;
  /** Midjourney's job UUID (file names, button ids, Cancel Job). */
  hash?: string;
  /** Midjourney answered "Job queued": the job waits behind others and is still tracked. */
  queued?: boolean;
  /** The progress message (start message) id, deleted by the bot when the result is posted. */
  progressMessageId?: string;
  /** The prompt as the bot echoed it (rewritten: parameters appended, links shortened). */
  echoedPrompt?: string;
  /** Suggested prompts of a describe result. */
  prompts?: string[];
}

export function jobState(job: Pick<JobRecord, 'runnerState'>): MidjourneyJobState {
  const mj = job.runnerState.midjourney;
  return mj && typeof mj === 'object' ? (mj as MidjourneyJobState) : {};
}

export interface ChildLink {
  button: string;
  jobid: string;
  messageId?: string;
}

/**
 * The Midjourney-only fields of a job (added to the common job JSON): `maxJobs`, the progress
 * percentage while running, the speed mode, the describe suggestions, and `children` (A.5: each
 * button pressed on this job, `{button, jobid, messageId}`).
 */
export function renderMidjourneyExtras(job: JobRecord, children: readonly ChildLink[] = []): Record<string, unknown> {
  const state = jobState(job);
  return {
    // useapi's verbs are the bare command names (`imagine`, `button` …).
    verb: job.verb.replace(/^midjourney-/, ''),
    maxJobs: job.maxJobs ?? DEFAULT_MAX_JOBS,
    ...(state.percent !== undefined && (job.status === 'progress' || job.status === 'started') ? { progress: state.percent } : {}),
    ...(state.mode ? { mode: state.mode } : {}),
    ...(state.queued && job.status !== 'completed' ? { queued: true } : {}),
    ...(state.prompts?.length ? { prompts: state.prompts } : {}),
    ...(children.length > 0 ? { children: children.map((c) => ({ button: c.button, jobid: c.jobid, ...(c.messageId ? { messageId: c.messageId } : {}) })) } : {}),
  };
}
