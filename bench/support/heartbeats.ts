/** Stopwatch for Gateway heartbeats: how far each one came after the previous one was due. */
import { percentile } from './stats.ts';

export class HeartbeatClock {
  readonly #gaps: number[] = [];
  #sockets = 0;

  /** One per socket; call the returned function whenever that socket sends op 1. */
  track(): () => void {
    this.#sockets++;
    let last: number | undefined;
    return () => {
      const now = performance.now();
      if (last !== undefined) this.#gaps.push(now - last);
      last = now;
    };
  }

  /** Lateness = gap between two heartbeats of one socket minus the announced interval. */
  summary(intervalMs: number) {
    const late = this.#gaps.map((g) => g - intervalMs);
    return {
      sockets: this.#sockets,
      beats: this.#gaps.length,
      p99LateMs: percentile(late, 99) ?? 0,
      maxLateMs: late.length ? Math.max(...late) : 0,
      /** Heartbeats that came more than a tenth of an interval late. */
      lateBeats: late.filter((l) => l > intervalMs / 10).length,
    };
  }

  reset(): void {
    this.#gaps.length = 0;
  }
}
