export { JobService, type JobServiceOptions } from './job-service.ts';
export { JobRunner, type JobRunnerOptions } from './runner.ts';
export { JobEvents } from './job-events.ts';
export { endJob, failure, type JobEnding, type TerminalPatch } from './end-job.ts';
export { isAccepted, stepProgress, type RunnerState } from './runner-state.ts';
export { renderJob } from './render.ts';
export { maskToken, newJobId } from './job-id.ts';
export { RetainedBytes, RetentionSweeper, resultUrl } from './retain.ts';
