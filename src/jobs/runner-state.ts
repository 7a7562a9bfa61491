/**
 * The runner's per-job state, stored with the job row (`runnerState`) so that any instance —
 * or this one after a restart — can carry the job on. Only `src/jobs` reads or writes it; other
 * modules ask the meaning-level helpers below ({@link isAccepted}, {@link stepProgress}).
 */
import type { CommandStep } from '../providers/index.ts';
import type { JobRecord } from '../store/index.ts';

export type RunnerState = {
  /** The Discord interactions planned at submission, in order. */
  steps: CommandStep[];
  /** Fingerprint of the Discord token the job must run with (the one its call brought or its account had). */
  token?: string;
  /** Index of the step being sent or followed; written (with its nonce) before the step is sent. */
  step?: number;
  /** The nonce of that step's interaction, minted before sending so a restart can find its replies. */
  nonce?: string;
  /** The application that owns the step's command, when known before sending. */
  applicationId?: string;
  /** Discord's id of the step's interaction, once learned. */
  interactionId?: string;
  /** The bot's messages answering the step, as far as they have been written. */
  messageIds?: string[];
  /** When the job was sent (epoch ms). */
  sentAt?: number;
  /** The bot has acknowledged the job (asynchronous calls answer then). */
  accepted?: boolean;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The job's runner state, read defensively (rows written by older versions lack fields). */
export function runnerStateOf(job: Pick<JobRecord, 'runnerState'>): RunnerState {
  const raw = isObject(job.runnerState) ? job.runnerState : {};
  const state: RunnerState = { steps: Array.isArray(raw.steps) ? (raw.steps as CommandStep[]) : [] };
  const token = str(raw.token);
  const step = num(raw.step);
  const nonce = str(raw.nonce);
  const applicationId = str(raw.applicationId);
  const interactionId = str(raw.interactionId);
  const sentAt = num(raw.sentAt);
  if (token !== undefined) state.token = token;
  if (step !== undefined) state.step = step;
  if (nonce !== undefined) state.nonce = nonce;
  if (applicationId !== undefined) state.applicationId = applicationId;
  if (interactionId !== undefined) state.interactionId = interactionId;
  if (Array.isArray(raw.messageIds)) state.messageIds = raw.messageIds.filter((id): id is string => typeof id === 'string');
  if (sentAt !== undefined) state.sentAt = sentAt;
  if (raw.accepted === true) state.accepted = true;
  return state;
}

/** The state a new job starts with: its plan, and the token it must run with. */
export function plannedState(steps: CommandStep[], tokenFingerprint: string): RunnerState {
  return { steps, token: tokenFingerprint };
}

/** The bot has acknowledged the job: an asynchronous command's call may answer now. */
export function isAccepted(job: Pick<JobRecord, 'runnerState'>): boolean {
  return runnerStateOf(job).accepted === true;
}

/** How far a multi-step job is, for dashboards: steps done out of steps planned (null when unplanned). */
export function stepProgress(job: Pick<JobRecord, 'runnerState' | 'status'>): { step: number; steps: number } | null {
  const state = runnerStateOf(job);
  const steps = state.steps.length;
  if (steps === 0) return null;
  if (job.status === 'completed') return { step: steps, steps };
  const step = state.step ?? (job.status === 'created' ? -1 : 0);
  // `step` is the index of the step being sent; it counts as done once the job has moved past it.
  return { step: Math.min(steps, step + 1), steps };
}

/** Whether the job was planned with input files (whose rows go when it ends). */
export function plannedWithFiles(job: Pick<JobRecord, 'runnerState'>): boolean {
  return runnerStateOf(job).steps.some((step) => step.kind === 'slash' && Object.keys(step.files).length > 0);
}
