/**
 * In-process notifications that a job row changed. They are only a latency hint — whoever waits
 * for a job also polls the store, which stays the truth (and the only channel across instances).
 */
import { EventEmitter } from 'node:events';

export class JobEvents {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  /** `publish` forwards local changes to other instances (e.g. through PostgreSQL NOTIFY). */
  constructor(private readonly publish?: (jobid: string) => void) {}

  /** A job row changed here: tell local waiters and the other instances. */
  changed(jobid: string): void {
    this.emitLocal(jobid);
    this.publish?.(jobid);
  }

  /** A job row changed (here or, via a notification, elsewhere): tell local waiters only. */
  emitLocal(jobid: string): void {
    this.#emitter.emit(jobid);
  }

  /** Calls `listener` on every change of the job; returns the unsubscribe function. */
  onChange(jobid: string, listener: () => void): () => void {
    this.#emitter.on(jobid, listener);
    return () => this.#emitter.off(jobid, listener);
  }
}
