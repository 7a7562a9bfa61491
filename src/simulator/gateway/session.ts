/**
 * A gateway session: what survives a dropped socket. It owns the sequence counter and a replay
 * buffer so that RESUME can send every dispatch the client missed, in order, before `RESUMED`.
 */
import type { WebSocket } from 'ws';

/** Dispatches kept for replay; a resume from further back gets op 9 (not resumable). */
const REPLAY_LIMIT = 1000;

export interface Dispatch {
  op: 0;
  s: number;
  t: string;
  d: unknown;
}

export class GatewaySession {
  seq = 0;
  invalid = false;
  socket: WebSocket | null = null;
  private readonly buffer: Dispatch[] = [];
  /** Unresumed sessions are forgotten after a while, like Discord's few minutes. */
  expiry: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    readonly userId: string,
  ) {}

  /** Numbers, buffers and (if connected) sends one dispatch. */
  push(t: string, d: unknown): void {
    if (this.invalid) return;
    const payload: Dispatch = { op: 0, s: ++this.seq, t, d };
    this.buffer.push(payload);
    if (this.buffer.length > REPLAY_LIMIT) this.buffer.shift();
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(payload));
  }

  /** Dispatches after `seq`, or undefined when the buffer no longer reaches back that far. */
  since(seq: number): Dispatch[] | undefined {
    if (seq > this.seq || seq < 0) return undefined;
    const missed = this.buffer.filter((p) => p.s > seq);
    const oldest = this.buffer[0]?.s ?? this.seq + 1;
    if (seq + 1 < oldest && missed.length < this.seq - seq) return undefined;
    return missed;
  }
}
