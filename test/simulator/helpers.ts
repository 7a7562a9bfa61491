/**
 * A minimal, correct Discord user client built from plain `fetch` and `ws` — deliberately not
 * switchboard's client — so the simulator is tested against the protocol, not against our code.
 */
import WebSocket from 'ws';
import { makePng } from '../../src/simulator/media/png.ts';
import type { Simulator } from '../../src/simulator/index.ts';

export interface Dispatch {
  op: number;
  s: number | null;
  t: string | null;
  d: any;
}

let nonceCounter = 0n;
/** Snowflake-like nonces, unique within the test process. */
export function nonce(): string {
  return ((BigInt(Date.now() - 1420070400000) << 22n) + nonceCounter++).toString();
}

export class Rest {
  /** A correct client waits out a 429's retry_after and tries again; rate-limit tests turn this off. */
  retryRateLimits = true;

  constructor(
    readonly apiUrl: string,
    readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.once(method, path, body, headers);
      if (response.status !== 429 || !this.retryRateLimits || attempt >= 5) return response;
      const { retry_after } = (await response.json()) as { retry_after: number };
      await new Promise((resolve) => setTimeout(resolve, retry_after * 1000));
    }
  }

  private async once(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
    const init: RequestInit = { method, headers: { authorization: this.token, ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return fetch(`${this.apiUrl}${path}`, init);
  }

  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The cloud-upload flow: reserve, PUT bytes without auth; returns the `uploaded_filename`. */
  async upload(channelId: string, filename: string, bytes: Buffer, contentType = 'image/png'): Promise<string> {
    const { attachments } = await this.json<{ attachments: { id: string; upload_url: string; upload_filename: string }[] }>('POST', `/channels/${channelId}/attachments`, {
      files: [{ id: '0', filename, file_size: bytes.length }],
    });
    const slot = attachments[0]!;
    const put = await fetch(slot.upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': contentType } });
    if (!put.ok) throw new Error(`PUT upload → ${put.status}`);
    return slot.upload_filename;
  }

  async command(channelId: string, name: string, applicationId: string): Promise<any> {
    const channel = await this.json('GET', `/channels/${channelId}`);
    const index = channel.guild_id
      ? await this.json('GET', `/guilds/${channel.guild_id}/application-command-index`)
      : await this.json('GET', `/channels/${channelId}/application-command-index`);
    const command = index.application_commands.find((c: any) => c.name === name && c.application_id === applicationId);
    if (!command) throw new Error(`command ${name} not in index`);
    return { ...command, guild_id: channel.guild_id };
  }
}

export interface SlashOptions {
  channelId: string;
  applicationId: string;
  name: string;
  options?: Record<string, string | number | boolean>;
  /** attachment option name → [filename, bytes] */
  files?: Record<string, [string, Buffer]>;
  sessionId?: string;
  nonce?: string;
  targetId?: string;
}

/** Runs a slash command the way a correct client does: index → uploads → POST /interactions. */
export async function slash(rest: Rest, o: SlashOptions): Promise<{ response: Response; nonce: string; command: any }> {
  const command = await rest.command(o.channelId, o.name, o.applicationId);
  const options: any[] = [];
  const attachments: any[] = [];
  for (const [name, value] of Object.entries(o.options ?? {})) options.push({ type: command.options.find((x: any) => x.name === name)?.type ?? 3, name, value });
  let i = 0;
  for (const [name, [filename, bytes]] of Object.entries(o.files ?? {})) {
    const uploaded = await rest.upload(o.channelId, filename, bytes, filename.endsWith('.mp4') ? 'video/mp4' : 'image/png');
    attachments.push({ id: String(i), filename, uploaded_filename: uploaded });
    options.push({ type: 11, name, value: i++ });
  }
  const n = o.nonce ?? nonce();
  const body = {
    type: 2,
    application_id: o.applicationId,
    ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    channel_id: o.channelId,
    session_id: o.sessionId ?? 'none',
    nonce: n,
    data: { version: command.version, id: command.id, name: command.name, type: command.type, options, attachments, ...(o.targetId ? { target_id: o.targetId } : {}) },
  };
  const response = await rest.request('POST', '/interactions', body);
  return { response, nonce: n, command };
}

export function png(seed = 1): Buffer {
  return makePng(16, 16, seed);
}

export class TestGateway {
  readonly payloads: Dispatch[] = [];
  sessionId = '';
  resumeUrl = '';
  seq: number | null = null;
  heartbeatInterval = 0;
  closeInfo: { code: number; reason: string } | undefined;
  private waiters: { test: (p: Dispatch) => boolean; resolve: (p: Dispatch) => void }[] = [];
  private closeWaiters: ((info: { code: number; reason: string }) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  autoHeartbeat = true;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.onPayload(JSON.parse(raw.toString()) as Dispatch));
    ws.on('close', (code, reason) => {
      clearInterval(this.timer);
      this.closeInfo = { code, reason: reason.toString() };
      for (const w of this.closeWaiters) w(this.closeInfo);
    });
  }

  /** Opens a socket, waits for HELLO, starts heartbeating. Does not identify. */
  static async open(url: string, query = '?v=9&encoding=json'): Promise<TestGateway> {
    const ws = new WebSocket(`${url}${query}`);
    const gateway = new TestGateway(ws);
    await gateway.waitFor((p) => p.op === 10);
    return gateway;
  }

  /** HELLO → IDENTIFY → READY. */
  static async connect(sim: Simulator, token: string): Promise<TestGateway> {
    const gateway = await TestGateway.open(sim.gatewayUrl);
    gateway.send({ op: 2, d: { token, capabilities: 0, properties: { os: 'Linux', browser: 'Chrome', device: '' }, presence: { status: 'unknown', since: 0, activities: [], afk: false }, compress: false } });
    const ready = await gateway.waitFor((p) => p.t === 'READY');
    gateway.sessionId = ready.d.session_id;
    gateway.resumeUrl = ready.d.resume_gateway_url;
    return gateway;
  }

  /** Opens `resume_gateway_url` and sends RESUME for a previous connection's session. */
  static async resume(previous: TestGateway, token: string): Promise<TestGateway> {
    const gateway = await TestGateway.open(previous.resumeUrl);
    gateway.sessionId = previous.sessionId;
    gateway.resumeUrl = previous.resumeUrl;
    gateway.send({ op: 6, d: { token, session_id: previous.sessionId, seq: previous.seq } });
    return gateway;
  }

  send(payload: unknown): void {
    this.ws.send(JSON.stringify(payload));
  }

  /** Resolves with the first payload (past or future) that matches. */
  waitFor(test: (p: Dispatch) => boolean, timeoutMs = 5000): Promise<Dispatch> {
    const found = this.payloads.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a gateway payload; got ${this.payloads.map((p) => p.t ?? `op${p.op}`).join(',')}`)), timeoutMs);
      this.waiters.push({ test, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  }

  dispatches(t: string): Dispatch[] {
    return this.payloads.filter((p) => p.t === t);
  }

  waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((info) => (clearTimeout(timer), resolve(info)));
    });
  }

  /** Closes like a client that wants to resume later (not 1000/1001). */
  drop(): Promise<{ code: number; reason: string }> {
    this.ws.close(4900, 'test drop');
    return this.waitForClose();
  }

  close(): void {
    clearInterval(this.timer);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  private onPayload(p: Dispatch): void {
    this.payloads.push(p);
    if (p.op === 0 && p.s !== null) this.seq = p.s;
    if (p.op === 10) {
      this.heartbeatInterval = p.d.heartbeat_interval;
      this.timer = setInterval(() => {
        if (this.autoHeartbeat && this.ws.readyState === WebSocket.OPEN) this.send({ op: 1, d: this.seq });
      }, this.heartbeatInterval);
    }
    if (p.op === 1) this.send({ op: 1, d: this.seq });
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(p)) return true;
      w.resolve(p);
      return false;
    });
  }
}

/** Downloads a CDN URL and returns status, content type and bytes. */
export async function download(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

export const isPng = (bytes: Buffer) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
export const isMp4 = (bytes: Buffer) => bytes.subarray(4, 8).toString('latin1') === 'ftyp';
