/** Queued REST faults per user: "the next N (matching) requests of this token fail like this". */
import type { RestFault, RestFaultMatch } from './types.ts';

interface QueuedFault {
  fault: RestFault;
  remaining: number;
  match: RestFaultMatch;
}

export class FaultQueue {
  private readonly queues = new Map<string, QueuedFault[]>();

  add(userId: string, fault: RestFault, count: number, match: RestFaultMatch = {}): void {
    const queue = this.queues.get(userId) ?? [];
    queue.push({ fault, remaining: Math.max(1, count), match });
    this.queues.set(userId, queue);
  }

  clear(userId?: string): void {
    if (userId === undefined) this.queues.clear();
    else this.queues.delete(userId);
  }

  /** Consumes and returns the first fault that matches this request. */
  take(userId: string, method: string, path: string): RestFault | undefined {
    const queue = this.queues.get(userId);
    if (!queue) return undefined;
    const index = queue.findIndex(
      (q) => (!q.match.method || q.match.method.toUpperCase() === method) && (!q.match.path || path.includes(q.match.path)),
    );
    if (index < 0) return undefined;
    const entry = queue[index]!;
    if (--entry.remaining <= 0) queue.splice(index, 1);
    return entry.fault;
  }
}
