/**
 * The Gateway (spec §2, §7.4) over plain JSON WebSockets on the simulator's HTTP port:
 * HELLO → IDENTIFY (user token, no intents) → READY, heartbeats and ACKs, RESUME with replay and
 * RESUMED, and the server side of every failure a client must survive (op 7, op 9, close codes,
 * zombied connections). Which close codes end a session is decided in one place, {@link ENDS_SESSION}.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_GATEWAY_PAYLOAD_BYTES } from '../constants.ts';
import type { FingerprintJudge } from '../fingerprint.ts';
import type { World } from '../state.ts';
import { GatewaySession } from './session.ts';

/** Close codes after which the session cannot be resumed (spec §2.7). */
const ENDS_SESSION = new Set([1000, 1001, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014]);
/** Discord allows 120 sent payloads per connection per 60 s (close 4008 beyond). */
const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;
/** Unresumed sessions linger this long (Discord: "a few minutes"). */
const SESSION_TTL_MS = 5 * 60_000;
/** After op 7 / op 9 a client should reconnect; if it lingers the server hangs up. */
const LINGER_MS = 5_000;

interface Connection {
  ws: WebSocket;
  /** The browser headers of the upgrade request, judged at IDENTIFY. */
  upgrade: Record<string, string>;
  version: number;
  session: GatewaySession | null;
  lastHeartbeat: number;
  sends: number[];
  serverClosing: boolean;
  timers: NodeJS.Timeout[];
}

export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly connections = new Set<Connection>();
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly suppressedAcks = new Map<string, number>();
  /** Set once listening: the URL READY announces for resuming. */
  resumeUrl = '';

  constructor(
    private readonly world: World,
    private readonly heartbeatIntervalMs: number,
    private readonly fingerprint?: FingerprintJudge,
  ) {
    world.dispatcher = (userId, event, data) => this.dispatch(userId, event, data);
  }

  /** Hooked to the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    const upgrade = this.fingerprint?.upgrade(request.headers) ?? {};
    this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, url, upgrade));
  }

  dispatch(userId: string, event: string, data: unknown): void {
    for (const session of this.sessions.values()) if (session.userId === userId && !session.invalid) session.push(event, data);
  }

  /** Closes every socket of a user with `code`; returns how many. */
  closeUser(userId: string, code: number, reason = ''): number {
    let count = 0;
    for (const conn of this.connections) {
      if (conn.session?.userId !== userId) continue;
      this.hangUp(conn, code, reason);
      count++;
    }
    if (ENDS_SESSION.has(code)) for (const s of this.sessions.values()) if (s.userId === userId) this.endSession(s);
    return count;
  }

  sendReconnect(userId: string): number {
    return this.toUser(userId, (conn) => {
      this.send(conn, { op: 7, d: null, s: null, t: null });
      this.linger(conn);
    });
  }

  sendInvalidSession(userId: string, resumable: boolean): number {
    return this.toUser(userId, (conn) => {
      if (!resumable && conn.session) this.endSession(conn.session);
      this.send(conn, { op: 9, d: resumable, s: null, t: null });
      this.linger(conn);
    });
  }

  suppressAcks(userId: string, count: number): void {
    this.suppressedAcks.set(userId, (this.suppressedAcks.get(userId) ?? 0) + count);
  }

  connectedSessions(userId: string): number {
    let n = 0;
    for (const conn of this.connections) if (conn.session?.userId === userId && conn.ws.readyState === conn.ws.OPEN) n++;
    return n;
  }

  async close(): Promise<void> {
    for (const conn of this.connections) this.hangUp(conn, 1001, 'simulator shutting down');
    for (const session of this.sessions.values()) if (session.expiry) clearTimeout(session.expiry);
    for (const conn of this.connections) conn.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private toUser(userId: string, fn: (conn: Connection) => void): number {
    let n = 0;
    for (const conn of this.connections) {
      if (conn.session?.userId === userId && conn.ws.readyState === conn.ws.OPEN) {
        fn(conn);
        n++;
      }
    }
    return n;
  }

  private open(ws: WebSocket, url: URL, upgrade: Record<string, string>): void {
    const conn: Connection = { ws, upgrade, version: Number(url.searchParams.get('v') ?? 9), session: null, lastHeartbeat: Date.now(), sends: [], serverClosing: false, timers: [] };
    this.connections.add(conn);
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => {});
    const encoding = url.searchParams.get('encoding') ?? 'json';
    const compress = url.searchParams.get('compress');
    if (![9, 10].includes(conn.version)) return this.hangUp(conn, 4012, 'Invalid API version');
    if (encoding !== 'json' || compress) return this.hangUp(conn, 4002, 'The simulator speaks uncompressed JSON only');
    ws.on('message', (raw, isBinary) => this.onMessage(conn, raw as Buffer, isBinary));
    this.send(conn, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['["switchboard-simulator",{"micros":0}]'] }, s: null, t: null });
    // Zombie detection: a client that stops heartbeating is cut off (two intervals of slack).
    const check = setInterval(() => {
      if (Date.now() - conn.lastHeartbeat > this.heartbeatIntervalMs * 2 + 1000) {
        if (conn.session) this.endSession(conn.session);
        this.hangUp(conn, 4009, 'Session timed out');
      }
    }, this.heartbeatIntervalMs);
    check.unref();
    conn.timers.push(check);
  }

  private onMessage(conn: Connection, raw: Buffer, isBinary: boolean): void {
    if (conn.serverClosing) return;
    if (raw.length > MAX_GATEWAY_PAYLOAD_BYTES || isBinary) return this.hangUp(conn, 4002, 'Error while decoding payload.');
    const now = Date.now();
    conn.sends = conn.sends.filter((t) => now - t < SEND_WINDOW_MS);
    conn.sends.push(now);
    if (conn.sends.length > SEND_LIMIT) return this.hangUp(conn, 4008, 'Rate limited.');
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw.toString('utf8')) as typeof payload;
    } catch {
      return this.hangUp(conn, 4002, 'Error while decoding payload.');
    }
    switch (payload.op) {
      case 1:
        conn.lastHeartbeat = now;
        return this.heartbeat(conn);
      case 2:
        return this.identify(conn, payload.d as Record<string, unknown> | undefined);
      case 6:
        return this.resume(conn, payload.d as Record<string, unknown> | undefined);
      case 3:
      case 4:
      case 8:
      case 14:
      case 37:
      case 40:
      case 41:
        // Presence, voice, member requests, QoS heartbeats: accepted and ignored once identified.
        if (!conn.session) return this.hangUp(conn, 4003, 'Not authenticated.');
        if (payload.op === 40) conn.lastHeartbeat = now;
        return;
      default:
        return this.hangUp(conn, 4001, 'Unknown opcode.');
    }
  }

  private heartbeat(conn: Connection): void {
    const userId = conn.session?.userId;
    const suppressed = userId ? (this.suppressedAcks.get(userId) ?? 0) : 0;
    if (userId && suppressed > 0) {
      this.suppressedAcks.set(userId, suppressed - 1);
      return;
    }
    this.send(conn, { op: 11, d: null, s: null, t: null });
  }

  private identify(conn: Connection, d: Record<string, unknown> | undefined): void {
    if (conn.session) return this.hangUp(conn, 4005, 'Already authenticated.');
    const user = typeof d?.token === 'string' ? this.world.usersByToken.get(d.token) : undefined;
    if (!user || user.revoked) return this.hangUp(conn, 4004, 'Authentication failed.');
    this.fingerprint?.identify(user.id, conn.upgrade, d!);
    const session = new GatewaySession(this.world.random.hex(32), user.id);
    this.sessions.set(session.id, session);
    this.attach(conn, session);
    const world = this.world;
    const guilds = [...world.guilds.values()].filter((g) => g.members.has(user.id));
    const dms = [...world.channels.values()].filter((c) => c.type === 1 && c.recipients.includes(user.id));
    // Capabilities change READY's layout (userdoccers "Gateway Capabilities"): with
    // DEDUPE_USER_OBJECTS (16) users are listed once and DM channels name them by `recipient_ids`;
    // with PRIORITIZED_READY_PAYLOAD (32) the rest follows in READY_SUPPLEMENTAL.
    const capabilities = typeof d?.capabilities === 'number' ? d.capabilities : 0;
    const dedupe = (capabilities & 16) !== 0;
    const prioritized = (capabilities & 32) !== 0;
    const channelJson = (c: (typeof dms)[number]) => {
      const json = world.channelJson(c, user.id);
      if (!dedupe) return json;
      const { recipients: _recipients, ...rest } = json;
      return { ...rest, recipient_ids: c.recipients.filter((id) => id !== user.id) };
    };
    session.push('READY', {
      v: conn.version,
      user: world.selfUser(user),
      users: dms.flatMap((c) => c.recipients.filter((id) => id !== user.id)).map((id) => world.users.get(id)).filter((u) => !!u).map((u) => world.publicUser(u)),
      guilds: guilds.map((g) => world.guildJson(g)),
      private_channels: dms.map(channelJson),
      ...(dedupe ? { merged_members: guilds.map(() => []) } : {}),
      session_id: session.id,
      session_type: 'normal',
      ...(user.requiredAction ? { required_action: user.requiredAction } : {}),
      resume_gateway_url: this.resumeUrl,
      sessions: [{ session_id: session.id, status: 'online', activities: [], client_info: { client: 'web', os: 'other', version: 0 } }],
      relationships: [],
      user_settings: {},
      user_guild_settings: { entries: [], version: 0, partial: false },
      read_state: { entries: [], version: 0, partial: false },
      country_code: 'US',
      geo_ordered_rtc_regions: [],
      _trace: ['["switchboard-simulator",{"micros":0}]'],
    });
    if (prioritized) {
      session.push('READY_SUPPLEMENTAL', {
        guilds: guilds.map((g) => ({ id: g.id, voice_states: [], embedded_activities: [], activity_instances: [] })),
        merged_members: guilds.map(() => []),
        merged_presences: { guilds: guilds.map(() => []), friends: [] },
        lazy_private_channels: [],
        disclose: [],
      });
    }
  }

  private resume(conn: Connection, d: Record<string, unknown> | undefined): void {
    if (conn.session) return this.hangUp(conn, 4005, 'Already authenticated.');
    const user = typeof d?.token === 'string' ? this.world.usersByToken.get(d.token) : undefined;
    if (!user || user.revoked) return this.hangUp(conn, 4004, 'Authentication failed.');
    const session = typeof d?.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d?.seq === 'number' ? d.seq : 0;
    if (!session || session.invalid || session.userId !== user.id) {
      this.send(conn, { op: 9, d: false, s: null, t: null });
      return this.linger(conn);
    }
    if (seq > session.seq) {
      this.endSession(session);
      return this.hangUp(conn, 4007, 'Invalid seq.');
    }
    const missed = session.since(seq);
    if (!missed) {
      this.endSession(session);
      this.send(conn, { op: 9, d: false, s: null, t: null });
      return this.linger(conn);
    }
    // A session has one socket: a resume takes it over from any socket still attached.
    for (const other of this.connections) if (other !== conn && other.session === session) this.hangUp(other, 4000, 'Session resumed elsewhere');
    this.attach(conn, session);
    for (const payload of missed) this.send(conn, payload);
    session.push('RESUMED', { _trace: ['["switchboard-simulator",{"micros":0}]'] });
  }

  private attach(conn: Connection, session: GatewaySession): void {
    conn.session = session;
    session.socket = conn.ws;
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = null;
  }

  private onClose(conn: Connection, code: number): void {
    this.connections.delete(conn);
    for (const timer of conn.timers) clearTimeout(timer);
    const session = conn.session;
    if (!session || session.socket !== conn.ws) return;
    session.socket = null;
    // A client that closes with 1000/1001 ends its session (the user goes offline); any other code keeps it resumable.
    if (!conn.serverClosing && (code === 1000 || code === 1001)) return this.endSession(session);
    if (session.invalid) return;
    session.expiry = setTimeout(() => this.endSession(session), SESSION_TTL_MS);
    session.expiry.unref();
  }

  private endSession(session: GatewaySession): void {
    session.invalid = true;
    if (session.expiry) clearTimeout(session.expiry);
    this.sessions.delete(session.id);
  }

  private linger(conn: Connection): void {
    const timer = setTimeout(() => this.hangUp(conn, 4000, 'Reconnect requested'), LINGER_MS);
    timer.unref();
    conn.timers.push(timer);
  }

  private hangUp(conn: Connection, code: number, reason: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN && conn.ws.readyState !== conn.ws.CONNECTING) return;
    conn.serverClosing = true;
    if (conn.session && ENDS_SESSION.has(code)) this.endSession(conn.session);
    conn.ws.close(code, reason);
    // Do not wait for a client that never answers the closing handshake.
    const timer = setTimeout(() => conn.ws.terminate(), 1000);
    timer.unref();
    conn.timers.push(timer);
  }

  private send(conn: Connection, payload: unknown): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(payload));
  }
}
