/**
 * The one way a job ends. Every terminal transition — the bot's result or refusal, a failure
 * while sending or following, a cancel through the API, a deadline passing, a recovery that
 * cannot go on — calls {@link endJob}. It writes the terminal status with a compare-and-set on
 * the statuses the caller read (so of two racing endings exactly one wins), enqueues the job's
 * webhook in the same transaction, and announces the ending ({@link JobEvents.ended}) exactly
 * when the row changed. Observers (metrics, the webhook kick) subscribe to that event once.
 */
import type { ProviderRegistry } from '../providers/index.ts';
import { ACTIVE_STATUSES, type JobPatch, type JobRecord, type JobStatus, type Store, type TerminalStatus } from '../store/index.ts';
import type { JobEvents } from './job-events.ts';
import { renderJob } from './render.ts';
import { plannedWithFiles } from './runner-state.ts';

export interface JobEnding {
  store: Store;
  events: JobEvents;
  providers: ProviderRegistry;
  now: () => number;
}

export type TerminalPatch = JobPatch & { status: TerminalStatus };

/**
 * Ends the job if its status is still one of `from` (by default: any active status). Returns the
 * ended job, or undefined when it had already moved on (then nothing is written or announced).
 */
export async function endJob(ending: JobEnding, job: Pick<JobRecord, 'jobid' | 'bot' | 'replyUrl' | 'runnerState'>, patch: TerminalPatch, from: readonly JobStatus[] = ACTIVE_STATUSES): Promise<JobRecord | undefined> {
  const provider = ending.providers.get(job.bot);
  const webhook = job.replyUrl ? { url: job.replyUrl, render: (j: JobRecord) => renderJob(j, provider) } : undefined;
  const ended = await ending.store.jobs.update(job.jobid, from, patch, ending.now(), webhook, { hasFiles: plannedWithFiles(job) });
  if (!ended) return undefined;
  ending.events.changed(ended.jobid, ended);
  ending.events.ended(ended);
  return ended;
}

export function failure(error: string, code: number, errorDetails?: string): TerminalPatch {
  return { status: 'failed', error, code, ...(errorDetails ? { errorDetails } : {}) };
}
