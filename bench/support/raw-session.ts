/**
 * The baseline's Discord client: the least a program must do to drive the simulator — one
 * WebSocket per account (HELLO → IDENTIFY → READY, heartbeats, dispatches) and plain `fetch`
 * for REST. No pacing, no retries, no store, no correlation beyond the nonce: the ceiling that
 * switchboard is compared with.
 */
import WebSocket from 'ws';

type Dispatch = (event: string, data: Record<string, unknown>) => void;

export class RawSession {
  sessionId: string | undefined;
  userId: string | undefined;
  #socket: WebSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #seq: number | null = null;

  constructor(
    private readonly token: string,
    private readonly onDispatch: Dispatch = () => {},
    private readonly onHeartbeat: () => void = () => {},
  ) {}

  /** Connects and resolves on READY. */
  connect(gatewayUrl: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${gatewayUrl}?v=9&encoding=json`);
      this.#socket = socket;
      socket.on('error', reject);
      socket.on('close', (code) => reject(new Error(`gateway closed with ${code} before READY`)));
      socket.on('message', (raw) => {
        const payload = JSON.parse(String(raw)) as { op: number; t?: string; s?: number; d: any };
        if (typeof payload.s === 'number') this.#seq = payload.s;
        if (payload.op === 10) {
          const interval = Number(payload.d.heartbeat_interval);
          const beat = () => {
            this.onHeartbeat();
            socket.send(JSON.stringify({ op: 1, d: this.#seq }));
            this.#timer = setTimeout(beat, interval);
          };
          this.#timer = setTimeout(beat, Math.floor(interval * Math.random()));
          socket.send(JSON.stringify({ op: 2, d: { token: this.token, capabilities: 0, properties: { os: 'Linux', browser: 'Chrome' }, presence: { status: 'unknown', since: 0, activities: [], afk: false }, compress: false } }));
        } else if (payload.op === 0 && payload.t) {
          if (payload.t === 'READY') {
            this.sessionId = payload.d.session_id;
            this.userId = payload.d.user?.id;
            resolve();
          }
          this.onDispatch(payload.t, payload.d);
        }
      });
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#socket?.removeAllListeners();
    this.#socket?.on('error', () => {});
    this.#socket?.close(1000);
  }
}

/** One REST call with the raw token; throws on a non-2xx answer. */
export async function rest<T>(apiUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(apiUrl + path, {
    method,
    headers: { authorization: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
