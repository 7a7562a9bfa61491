export { JobService, hasCredits, type JobServiceOptions } from './job-service.ts';
export { JobRunner, type JobRunnerOptions } from './runner.ts';
export { JobEvents } from './job-events.ts';
export { renderJob } from './render.ts';
export { maskToken, newJobId } from './job-id.ts';
export { RetentionSweeper, resultUrl } from './retain.ts';
