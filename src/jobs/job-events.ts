/**
 * In-process notifications about jobs.
 *
 * - `changed`: a job row changed. Only a latency hint — whoever waits for a job also polls the
 *   store, which stays the truth (and the only channel across instances).
 * - `ended`: a job reached a terminal status HERE, emitted exactly once per job by
 *   {@link endJob} (`end-job.ts`) when its compare-and-set actually changed the row. Metrics and
 *   the webhook dispatcher's kick subscribe to it once, in the composition root.
 */
import { EventEmitter } from 'node:events';
import type { JobRecord } from '../store/index.ts';

const ENDED = Symbol('ended');

export class JobEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  /** `publish` forwards local changes to other instances (e.g. through PostgreSQL NOTIFY). */
  constructor(private readonly publish?: (jobid: string) => void) {}

  /**
   * A job row changed here: tell local waiters, and with `reach` 'everywhere' the other instances.
   * `job` is the row as the write returned it, so local waiters need not read it again.
   *
   * Other instances need to hear only what can answer a call blocked there: the bot's
   * acknowledgement and the ending. The job's creation and sending, and the bot's progress edits,
   * stay `local` (a blocked call waits on the instance that took it, and whoever polls reads the
   * store); each notification costs a statement on the database.
   */
  changed(jobid: string, job?: JobRecord, reach: 'local' | 'everywhere' = 'everywhere'): void {
    this.emitLocal(jobid, job);
    if (reach === 'everywhere') this.publish?.(jobid);
  }

  /** A job row changed (here or, via a notification, elsewhere): tell local waiters only. */
  emitLocal(jobid: string, job?: JobRecord): void {
    this.#emitter.emit(jobid, job);
  }

  /** Calls `listener` on every change of the job (with the row when it is known); returns the unsubscribe function. */
  onChange(jobid: string, listener: (job?: JobRecord) => void): () => void {
    this.#emitter.on(jobid, listener);
    return () => this.#emitter.off(jobid, listener);
  }

  /** @internal Only {@link endJob} announces endings (once per job, when the row changed). */
  ended(job: JobRecord): void {
    this.#emitter.emit(ENDED, job);
  }

  /** Calls `listener` once for every job that ends in this process; returns the unsubscribe function. */
  onEnded(listener: (job: JobRecord) => void): () => void {
    this.#emitter.on(ENDED, listener);
    return () => this.#emitter.off(ENDED, listener);
  }
}
