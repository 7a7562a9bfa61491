import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Capability, DEFAULT_CAPABILITIES, DiscordApiError, GatewaySession, type GatewaySocket } from '../../../src/discord/index.ts';

const TOKEN = 'user-token-123';

/** A scripted in-memory socket: the test plays the server. */
class FakeSocket implements GatewaySocket {
  sent: Array<{ op: number; d: any }> = [];
  closedWith: number | 'terminated' | undefined;
  private handlers: Record<string, Array<(arg: any) => void>> = {};
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
  }
  terminate(): void {
    this.closedWith = 'terminated';
  }
  on(event: string, listener: (arg: any) => void): this {
    (this.handlers[event] ??= []).push(listener);
    return this;
  }
  removeAllListeners(): this {
    this.handlers = {};
    return this;
  }
  serverSend(payload: unknown): void {
    for (const h of this.handlers.message ?? []) h(JSON.stringify(payload));
  }
  serverClose(code: number): void {
    for (const h of this.handlers.close ?? []) h(code);
  }
  ops(): number[] {
    return this.sent.map((p) => p.op);
  }
}

describe('the gateway session', () => {
  let sockets: FakeSocket[];
  let session: GatewaySession;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    session = new GatewaySession({
      token: TOKEN,
      gatewayUrl: async () => 'ws://gateway.test',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      random: () => 0.5,
      backoff: { baseMs: 100, maxMs: 1000, longMs: 5000 },
      invalidSessionDelayMs: { min: 1000, max: 5000 },
    });
  });

  afterEach(() => {
    session.stop();
    vi.useRealTimers();
  });

  const last = (): FakeSocket => sockets[sockets.length - 1]!;

  async function connectReady(): Promise<FakeSocket> {
    const ready = session.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = last();
    socket.serverSend({ op: 10, d: { heartbeat_interval: 1000 } });
    socket.serverSend({ op: 0, s: 1, t: 'READY', d: { session_id: 'sess-1', resume_gateway_url: 'ws://resume.test', user: { id: '42', username: 'me' } } });
    await ready;
    return socket;
  }

  it('identifies as a user: raw token, no intents, real capability bits, browser properties with the 2025 and Gateway-only fields', async () => {
    const socket = await connectReady();
    expect(socket.url).toBe('ws://gateway.test/?v=9&encoding=json');
    const identify = socket.sent.find((p) => p.op === 2)!;
    expect(identify.d.token).toBe(TOKEN);
    expect(identify.d.capabilities).toBe(DEFAULT_CAPABILITIES);
    expect(identify.d.capabilities & Capability.DedupeUserObjects).toBeTruthy();
    expect(identify.d).not.toHaveProperty('intents');
    expect(identify.d.properties.browser_user_agent).toMatch(/Mozilla/);
    expect(identify.d.properties).toMatchObject({ has_client_mods: false, client_app_state: 'focused', is_fast_connect: false, gateway_connect_reasons: 'AppSkeleton' });
    for (const id of ['client_launch_id', 'launch_signature', 'client_heartbeat_session_id']) expect(identify.d.properties[id]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(identify.d.compress).toBe(false);
    expect(session.sessionId).toBe('sess-1');
    expect(session.user?.id).toBe('42');
  });

  it('heartbeats first after a jittered delay, then every interval, with the last sequence', async () => {
    const socket = await connectReady();
    socket.serverSend({ op: 0, s: 7, t: 'MESSAGE_CREATE', d: {} });
    await vi.advanceTimersByTimeAsync(499);
    expect(socket.ops()).not.toContain(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent.at(-1)).toEqual({ op: 1, d: 7 });
    socket.serverSend({ op: 11, d: null });
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sent.filter((p) => p.op === 1)).toHaveLength(2);
  });

  it('answers a heartbeat request from the server at once', async () => {
    const socket = await connectReady();
    socket.serverSend({ op: 1, d: null });
    expect(socket.sent.at(-1)).toEqual({ op: 1, d: 1 });
  });

  it('drops a zombied connection and resumes on resume_gateway_url with the last sequence', async () => {
    const socket = await connectReady();
    socket.serverSend({ op: 0, s: 5, t: 'MESSAGE_CREATE', d: {} });
    await vi.advanceTimersByTimeAsync(500); // first heartbeat, never acknowledged
    await vi.advanceTimersByTimeAsync(1000); // next tick finds no ACK
    expect(socket.closedWith).toBe('terminated');
    await vi.advanceTimersByTimeAsync(1);
    const next = last();
    expect(next).not.toBe(socket);
    expect(next.url).toBe('ws://resume.test/?v=9&encoding=json');
    next.serverSend({ op: 10, d: { heartbeat_interval: 1000 } });
    expect(next.sent[0]).toEqual({ op: 6, d: { token: TOKEN, session_id: 'sess-1', seq: 5 } });
  });

  it('closes with a resumable code on op 7 and resumes', async () => {
    const socket = await connectReady();
    socket.serverSend({ op: 7, d: null });
    expect(socket.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(0);
    last().serverSend({ op: 10, d: { heartbeat_interval: 1000 } });
    expect(last().sent[0]?.op).toBe(6);
  });

  it('waits, then identifies anew after a non-resumable op 9', async () => {
    const socket = await connectReady();
    socket.serverSend({ op: 9, d: false });
    await vi.advanceTimersByTimeAsync(2999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    last().serverSend({ op: 10, d: { heartbeat_interval: 1000 } });
    expect(last().url).toBe('ws://gateway.test/?v=9&encoding=json');
    expect(last().sent[0]?.op).toBe(2);
    expect(session.sessionId).toBeUndefined();
  });

  it('stops for good on 4004 and reports it as fatal', async () => {
    const socket = await connectReady();
    const fatal = vi.fn();
    session.on('fatal', fatal);
    socket.serverClose(4004);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(session.state).toBe('fatal');
    expect(fatal.mock.calls[0]?.[0]).toMatchObject({ closeCode: 4004 });
    await expect(session.waitReady()).rejects.toMatchObject({ kind: 'gateway_fatal' });
  });

  it('backs off more and more while connections keep failing and then reports the gateway unreachable', async () => {
    const unreachable = vi.fn();
    const delays: number[] = [];
    session.on('unreachable', unreachable);
    session.on('reconnecting', ({ delayMs }) => delays.push(delayMs));
    void session.start().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 4; i++) {
      last().serverClose(1006);
      await vi.advanceTimersByTimeAsync(2000);
    }
    expect(delays).toEqual([75, 150, 300, 600]);
    expect(unreachable).toHaveBeenCalledTimes(1);
    expect(unreachable.mock.calls[0]?.[0]).toMatchObject({ attempts: 4, lastCode: 1006 });
  });

  it('waits at least the long delay before reconnecting after 4008', async () => {
    const socket = await connectReady();
    const delays: number[] = [];
    session.on('reconnecting', ({ delayMs, mode }) => delays.push(mode === 'resume' ? delayMs : -1));
    socket.serverClose(4008);
    expect(delays).toEqual([5000]);
  });

  it('treats a token refused by GET /gateway like close code 4004', async () => {
    const refused = new GatewaySession({
      token: TOKEN,
      gatewayUrl: async () => {
        throw new DiscordApiError({ kind: 'unauthorized', status: 401, code: 0, method: 'GET', route: '/gateway', discordMessage: '401: Unauthorized', body: undefined, retry: false });
      },
      createSocket: () => {
        throw new Error('no socket expected');
      },
    });
    await expect(refused.start()).rejects.toMatchObject({ closeCode: 4004 });
    expect(refused.state).toBe('fatal');
  });
});
