import type { Agent } from 'node:http';
import { ClientIdentity } from '../client-properties.ts';
import { Emitter } from '../emitter.ts';
import { DiscordApiError, GatewayFatalError } from '../errors.ts';
import type { DiscordUser, GatewayPayload } from '../types.ts';
import { decideClose, type CloseDecision } from './close-codes.ts';
import { readReady, type ReadyChannel } from './ready.ts';
import { defaultSocket, GatewayOp, withGatewayQuery, type GatewaySocket } from './protocol.ts';

export interface ReadyInfo {
  sessionId: string;
  resumeGatewayUrl: string | undefined;
  user: DiscordUser;
  /** READY's `required_action` (e.g. `REQUIRE_VERIFIED_PHONE`), when Discord sets one. */
  requiredAction: string | undefined;
  /** DM channels with their recipients resolved, whichever READY layout the capabilities produced. */
  privateChannels: ReadyChannel[];
  /** The full READY payload (guilds, private_channels…). */
  raw: Record<string, unknown>;
}

export type SessionState = 'idle' | 'connecting' | 'identifying' | 'resuming' | 'ready' | 'waiting' | 'stopped' | 'fatal';

export interface GatewaySessionEvents {
  ready: (info: ReadyInfo) => void;
  resumed: () => void;
  dispatch: (event: string, data: unknown, seq: number | null) => void;
  /** The socket closed, with the decision taken (`planned` when this client closed it on purpose). */
  close: (info: { code: number | undefined; decision: CloseDecision; planned: boolean }) => void;
  reconnecting: (info: { mode: 'resume' | 'identify'; delayMs: number; attempt: number }) => void;
  fatal: (error: GatewayFatalError) => void;
  /** Several connection attempts in a row failed: the network or Discord is unreachable. */
  unreachable: (info: { attempts: number; lastCode: number | undefined; error: Error | undefined }) => void;
  state: (state: SessionState) => void;
}

export interface GatewaySessionOptions {
  token: string;
  /** The gateway URL for a fresh IDENTIFY (from config, or `GET /gateway`). */
  gatewayUrl: () => Promise<string>;
  /** The account's browser: IDENTIFY `properties`, capabilities and the upgrade headers come from it. */
  identity?: ClientIdentity;
  /** Overrides the profile's capabilities bit field (READY is read in whichever layout it produces). */
  capabilities?: number;
  /** The account's transport for the WebSocket (its proxy agent, when it has one). */
  agent?: Agent;
  /** Backoff for reconnects: first step, cap, and the "slow down" floor. */
  backoff?: { baseMs?: number; maxMs?: number; longMs?: number };
  /** Wait before re-identifying after op 9 `d:false` (Discord asks for 1–5 s). */
  invalidSessionDelayMs?: { min: number; max: number };
  /** Time allowed from opening the socket to READY/RESUMED. Default 30 s. */
  handshakeTimeoutMs?: number;
  /** Failed attempts in a row before `unreachable` is emitted. Default 4. */
  unreachableAfter?: number;
  createSocket?: (url: string) => GatewaySocket;
  random?: () => number;
}

/**
 * One Discord Gateway session for a user account: HELLO → jittered heartbeats → IDENTIFY (no
 * intents) → READY; zombie detection; RESUME with the last sequence; op 7 / op 9; every close
 * decided by `close-codes.ts`; reconnects with backoff. Never logs or emits the token.
 */
export class GatewaySession extends Emitter<GatewaySessionEvents> {
  private socket: GatewaySocket | undefined;
  /** Bumped for every socket, so events of a replaced socket are ignored. */
  private generation = 0;
  private seq: number | null = null;
  private session: { id: string; resumeUrl: string | undefined } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private acked = true;
  private failures = 0;
  private unreachableReported = false;
  private currentState: SessionState = 'idle';
  private readyInfo: ReadyInfo | undefined;
  private lastCode: number | undefined;
  /** The last socket-level error (refused, reset, proxy tunnel denied…), for `unreachable`. */
  private lastError: Error | undefined;
  private readonly random: () => number;
  /** ES-private so that neither `util.inspect` nor `JSON.stringify` of the session shows it. */
  readonly #token: string;
  private readonly options: Omit<GatewaySessionOptions, 'token'>;
  readonly identity: ClientIdentity;

  constructor(options: GatewaySessionOptions) {
    super();
    const { token, ...rest } = options;
    this.#token = token;
    this.options = rest;
    this.random = options.random ?? Math.random;
    this.identity = options.identity ?? new ClientIdentity();
  }

  /** The capabilities IDENTIFY sends. */
  get capabilities(): number {
    return this.options.capabilities ?? this.identity.profile.capabilities;
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The live session id (for `POST /interactions`), once READY. */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  get user(): DiscordUser | undefined {
    return this.readyInfo?.user;
  }

  get ready(): ReadyInfo | undefined {
    return this.readyInfo;
  }

  /** Connects (if not already) and resolves on the first READY; rejects when the session turns fatal. */
  start(): Promise<ReadyInfo> {
    if (this.currentState === 'idle' || this.currentState === 'stopped' || this.currentState === 'fatal') {
      this.failures = 0;
      this.unreachableReported = false;
      this.session = undefined;
      this.seq = null;
      this.readyInfo = undefined;
      void this.connect('identify');
    }
    return this.waitReady();
  }

  /** Resolves when the session is READY (immediately if it is); rejects if it turns fatal or is stopped. */
  waitReady(signal?: AbortSignal): Promise<ReadyInfo> {
    if (this.currentState === 'ready' && this.readyInfo) return Promise.resolve(this.readyInfo);
    if (this.currentState === 'fatal' || this.currentState === 'stopped') {
      return Promise.reject(new GatewayFatalError(this.lastCode ?? 1000, `session is ${this.currentState}`));
    }
    return new Promise<ReadyInfo>((resolve, reject) => {
      const cleanup = (): void => {
        offState();
        signal?.removeEventListener('abort', onAbort);
      };
      const offState = this.on('state', (state) => {
        if (state === 'ready' && this.readyInfo) {
          cleanup();
          resolve(this.readyInfo);
        } else if (state === 'fatal' || state === 'stopped') {
          cleanup();
          reject(new GatewayFatalError(this.lastCode ?? 1000, `session is ${state}`));
        }
      });
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes for good with 1000 (which also ends the session on Discord's side). */
  stop(): void {
    this.clearTimers();
    this.generation++;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      try {
        socket.close(1000);
      } catch {
        socket.terminate();
      }
    }
    this.setState('stopped');
  }

  private setState(state: SessionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private async connect(mode: 'resume' | 'identify'): Promise<void> {
    const generation = ++this.generation;
    if (mode === 'identify') {
      this.session = undefined;
      this.seq = null;
    }
    this.setState('connecting');
    let base: string;
    try {
      base = mode === 'resume' && this.session?.resumeUrl ? this.session.resumeUrl : await this.options.gatewayUrl();
    } catch (error) {
      if (generation !== this.generation) return;
      // `GET /gateway` refused the token: the same verdict as close code 4004.
      if (error instanceof DiscordApiError && error.kind === 'unauthorized') this.carryOut(decideClose(4004), 4004);
      else this.onSocketClosed(generation, undefined);
      return;
    }
    if (generation !== this.generation) return; // stopped or replaced meanwhile
    const url = withGatewayQuery(base);
    let socket: GatewaySocket;
    try {
      socket = this.options.createSocket
        ? this.options.createSocket(url)
        : defaultSocket(url, { headers: this.identity.gatewayHeaders(), ...(this.options.agent ? { agent: this.options.agent } : {}) });
    } catch {
      this.onSocketClosed(generation, undefined);
      return;
    }
    this.socket = socket;
    socket.on('message', (data) => {
      if (generation === this.generation) this.onMessage(data, mode);
    });
    socket.on('close', (code) => this.onSocketClosed(generation, code));
    socket.on('error', (error) => {
      this.lastError = error; // a 'close' always follows
    });
    this.handshakeTimer = setTimeout(() => {
      // No HELLO/READY in time: treat as a lost connection.
      if (generation === this.generation) this.abandonSocket({ action: 'resume', backoff: 'normal', meaning: 'handshake timeout' }, 4000, true);
    }, this.options.handshakeTimeoutMs ?? 30_000);
  }

  private onMessage(raw: unknown, mode: 'resume' | 'identify'): void {
    let payload: GatewayPayload;
    try {
      payload = JSON.parse(String(raw)) as GatewayPayload;
    } catch {
      return;
    }
    switch (payload.op) {
      case GatewayOp.Hello: {
        const interval = Number((payload.d as { heartbeat_interval?: unknown })?.heartbeat_interval) || 41_250;
        this.startHeartbeat(interval);
        if (mode === 'resume' && this.session) {
          this.setState('resuming');
          this.send({ op: GatewayOp.Resume, d: { token: this.#token, session_id: this.session.id, seq: this.seq } });
        } else {
          this.setState('identifying');
          this.send({ op: GatewayOp.Identify, d: this.identifyData() });
        }
        return;
      }
      case GatewayOp.HeartbeatAck:
        this.acked = true;
        return;
      case GatewayOp.Heartbeat:
        this.send({ op: GatewayOp.Heartbeat, d: this.seq });
        return;
      case GatewayOp.Reconnect:
        // Close with a non-1000 code so the session stays resumable, then resume.
        this.abandonSocket({ action: 'resume', backoff: 'none', meaning: 'op 7 reconnect' }, 4000);
        return;
      case GatewayOp.InvalidSession: {
        const resumable = payload.d === true;
        if (resumable && this.session) {
          this.abandonSocket({ action: 'resume', backoff: 'none', meaning: 'op 9 resumable' }, 4000);
        } else {
          this.session = undefined;
          this.seq = null;
          const { min, max } = this.options.invalidSessionDelayMs ?? { min: 1000, max: 5000 };
          this.abandonSocket({ action: 'identify', backoff: 'none', meaning: 'op 9 not resumable' }, 4000, false, min + this.random() * (max - min));
        }
        return;
      }
      case GatewayOp.Dispatch:
        if (typeof payload.s === 'number') this.seq = payload.s;
        this.onDispatch(String(payload.t), payload.d);
        return;
      default:
        return;
    }
  }

  private onDispatch(event: string, data: unknown): void {
    if (event === 'READY') {
      const d = data as Record<string, unknown>;
      const ready = readReady(d);
      this.session = { id: ready.sessionId, resumeUrl: ready.resumeGatewayUrl };
      this.readyInfo = { ...ready, raw: d };
      this.connected();
      this.emit('dispatch', event, data, this.seq);
      this.emit('ready', this.readyInfo);
      return;
    }
    if (event === 'RESUMED') {
      this.connected();
      this.emit('dispatch', event, data, this.seq);
      this.emit('resumed');
      return;
    }
    this.emit('dispatch', event, data, this.seq);
  }

  private connected(): void {
    clearTimeout(this.handshakeTimer);
    this.lastError = undefined;
    this.failures = 0;
    this.unreachableReported = false;
    this.setState('ready');
  }

  private identifyData(): Record<string, unknown> {
    return {
      token: this.#token,
      capabilities: this.capabilities,
      properties: this.identity.identifyProperties(),
      presence: { status: 'unknown', since: 0, activities: [], afk: false },
      compress: false,
      client_state: { guild_versions: {} },
    };
  }

  private startHeartbeat(interval: number): void {
    clearTimeout(this.heartbeatTimer);
    this.acked = true;
    const beat = (): void => {
      if (!this.acked) {
        // Zombied connection: no ACK since the last heartbeat. Drop it and resume (spec §2.3).
        this.abandonSocket({ action: 'resume', backoff: 'none', meaning: 'zombie connection' }, 4000, true);
        return;
      }
      this.acked = false;
      this.send({ op: GatewayOp.Heartbeat, d: this.seq });
      this.heartbeatTimer = setTimeout(beat, interval);
    };
    this.heartbeatTimer = setTimeout(beat, Math.floor(interval * this.random()));
  }

  private send(payload: GatewayPayload): void {
    try {
      this.socket?.send(JSON.stringify(payload));
    } catch {
      /* the close handler takes over */
    }
  }

  /** This client ends the current socket on purpose and carries out `decision` itself. */
  private abandonSocket(decision: CloseDecision, code: number, terminate = false, delayMs?: number): void {
    const socket = this.socket;
    this.generation++; // ignore the old socket from now on
    this.socket = undefined;
    this.clearTimers();
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      try {
        if (terminate) socket.terminate();
        else socket.close(code);
      } catch {
        /* already gone */
      }
    }
    this.emit('close', { code, decision, planned: true });
    this.carryOut(decision, code, delayMs);
  }

  private onSocketClosed(generation: number, code: number | undefined): void {
    if (generation !== this.generation) return;
    this.socket = undefined;
    this.clearTimers();
    const decision = decideClose(code);
    this.emit('close', { code, decision, planned: false });
    this.carryOut(decision, code);
  }

  private carryOut(decision: CloseDecision, code: number | undefined, delayMs?: number): void {
    this.lastCode = code;
    if (decision.action === 'fatal') {
      this.session = undefined;
      this.setState('fatal');
      this.emit('fatal', new GatewayFatalError(code ?? 0, decision.meaning));
      return;
    }
    if (decision.action === 'identify') {
      this.session = undefined;
      this.seq = null;
    }
    const mode = this.session ? 'resume' : 'identify';
    const attempt = ++this.failures;
    const delay = delayMs ?? this.delayFor(decision, attempt);
    if (attempt >= (this.options.unreachableAfter ?? 4) && !this.unreachableReported) {
      this.unreachableReported = true;
      this.emit('unreachable', { attempts: attempt, lastCode: code, error: this.lastError });
    }
    this.setState('waiting');
    this.emit('reconnecting', { mode, delayMs: delay, attempt });
    this.reconnectTimer = setTimeout(() => void this.connect(mode), delay);
  }

  private delayFor(decision: CloseDecision, attempt: number): number {
    const { baseMs = 1000, maxMs = 60_000, longMs = 15_000 } = this.options.backoff ?? {};
    const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    const jittered = exponential / 2 + this.random() * (exponential / 2);
    if (decision.backoff === 'long') return Math.max(longMs, jittered);
    // The first immediate retry is free; repeated failures back off so a broken gateway is not hammered.
    if (decision.backoff === 'none' && attempt <= 1) return 0;
    return jittered;
  }

  private clearTimers(): void {
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.reconnectTimer);
    this.heartbeatTimer = this.handshakeTimer = this.reconnectTimer = undefined;
  }
}
