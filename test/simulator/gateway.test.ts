import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { Rest, TestGateway } from './helpers.ts';

describe('simulator gateway', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  const track = (g: TestGateway) => (sockets.push(g), g);
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, heartbeatIntervalMs: 150 });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => sim.close());

  it('sends HELLO with the configured interval and READY for a user identify without intents', async () => {
    const pika = sim.control.createPikaAccount({ username: 'pia' });
    const faceswap = sim.control.createFaceswapAccount();
    sim.control.addGuildMember(faceswap.guildId, pika.user.id);
    const gw = track(await TestGateway.connect(sim, pika.user.token));
    expect(gw.payloads[0]).toMatchObject({ op: 10, d: { heartbeat_interval: 150 } });
    const ready = await gw.waitFor((p) => p.t === 'READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({ v: 9, user: { id: pika.user.id, username: 'pia' }, session_id: expect.any(String), resume_gateway_url: expect.stringMatching(/^ws:\/\//) });
    expect(ready.d.private_channels).toEqual([expect.objectContaining({ id: pika.channelId, type: 1 })]);
    expect(ready.d.guilds).toEqual([expect.objectContaining({ id: faceswap.guildId })]);
  });

  it('acknowledges heartbeats with op 11', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    gw.send({ op: 1, d: gw.seq });
    await gw.waitFor((p) => p.op === 11);
  });

  it('stops acknowledging heartbeats on demand so clients can detect a zombie connection', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    gw.autoHeartbeat = false;
    sim.control.suppressHeartbeatAcks(user.id, 1);
    gw.send({ op: 1, d: gw.seq });
    gw.send({ op: 1, d: gw.seq });
    await gw.waitFor((p) => p.op === 11);
    expect(gw.payloads.filter((p) => p.op === 11)).toHaveLength(1);
  });

  it('closes a socket that stops heartbeating with 4009', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    gw.autoHeartbeat = false;
    expect((await gw.waitForClose()).code).toBe(4009);
  });

  it('closes with 4004 for a bad token and 4003 for a payload before identify', async () => {
    const bad = track(await TestGateway.open(sim.gatewayUrl));
    bad.send({ op: 2, d: { token: 'nope', properties: {} } });
    expect((await bad.waitForClose()).code).toBe(4004);
    const early = track(await TestGateway.open(sim.gatewayUrl));
    early.send({ op: 3, d: { status: 'online' } });
    expect((await early.waitForClose()).code).toBe(4003);
  });

  it('closes with 4005 on a second identify, 4001 on an unknown opcode, 4002 on garbage', async () => {
    const user = sim.control.createUser();
    const twice = track(await TestGateway.connect(sim, user.token));
    twice.send({ op: 2, d: { token: user.token, properties: {} } });
    expect((await twice.waitForClose()).code).toBe(4005);
    const odd = track(await TestGateway.connect(sim, user.token));
    odd.send({ op: 99, d: null });
    expect((await odd.waitForClose()).code).toBe(4001);
    const garbage = track(await TestGateway.open(sim.gatewayUrl));
    garbage.ws.send('{not json');
    expect((await garbage.waitForClose()).code).toBe(4002);
  });

  it('closes with 4002 for a payload over 15 KiB and 4008 beyond 120 payloads a minute', async () => {
    const user = sim.control.createUser();
    const big = track(await TestGateway.connect(sim, user.token));
    big.send({ op: 3, d: { status: 'online', padding: 'x'.repeat(16 * 1024) } });
    expect((await big.waitForClose()).code).toBe(4002);
    const chatty = track(await TestGateway.connect(sim, user.token));
    for (let i = 0; i < 121; i++) chatty.send({ op: 1, d: chatty.seq });
    expect((await chatty.waitForClose()).code).toBe(4008);
  });

  it('announces guilds and DM channels created after READY', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    const guild = sim.control.createGuild(user.id, { name: 'later' });
    const channel = sim.control.createTextChannel(guild.id, { name: 'api' });
    const dm = sim.control.openPikaDm(user.id);
    expect((await gw.waitFor((p) => p.t === 'GUILD_CREATE')).d).toMatchObject({ id: guild.id, name: 'later' });
    expect((await gw.waitFor((p) => p.t === 'CHANNEL_CREATE' && p.d.id === channel.id)).d).toMatchObject({ type: 0, guild_id: guild.id });
    expect((await gw.waitFor((p) => p.t === 'CHANNEL_CREATE' && p.d.id === dm)).d).toMatchObject({ type: 1 });
  });

  it('refuses compressed transports it does not speak with 4002', async () => {
    const gw = new TestGatewayProbe(sim.gatewayUrl + '?v=9&encoding=json&compress=zlib-stream');
    expect(await gw.closeCode()).toBe(4002);
  });

  it('resumes after a dropped socket and replays missed events, then RESUMED', async () => {
    const account = sim.control.createFaceswapAccount();
    const first = track(await TestGateway.connect(sim, account.user.token));
    await first.drop();
    // Events while disconnected: the user's own messages in their channel.
    const rest = new Rest(sim.apiUrl, account.user.token);
    const m1 = await rest.json('POST', `/channels/${account.channelId}/messages`, { content: 'one' });
    const m2 = await rest.json('POST', `/channels/${account.channelId}/messages`, { content: 'two' });
    const second = track(await TestGateway.resume(first, account.user.token));
    const resumed = await second.waitFor((p) => p.t === 'RESUMED');
    const replayed = second.payloads.filter((p) => p.t === 'MESSAGE_CREATE');
    expect(replayed.map((p) => p.d.id)).toEqual([m1.id, m2.id]);
    expect(replayed.map((p) => p.s)).toEqual([first.seq! + 1, first.seq! + 2]);
    expect(resumed.s).toBe(first.seq! + 3);
    expect(second.dispatches('READY')).toHaveLength(0);
  });

  it('answers a resume of an ended session with op 9 false', async () => {
    const user = sim.control.createUser();
    const first = track(await TestGateway.connect(sim, user.token));
    first.ws.close(1000);
    await first.waitForClose();
    const second = track(await TestGateway.resume(first, user.token));
    expect((await second.waitFor((p) => p.op === 9)).d).toBe(false);
  });

  it('closes with 4007 when the resume sequence is ahead of the session', async () => {
    const user = sim.control.createUser();
    const first = track(await TestGateway.connect(sim, user.token));
    await first.drop();
    first.seq = 999;
    const second = track(await TestGateway.resume(first, user.token));
    expect((await second.waitForClose()).code).toBe(4007);
  });

  it('sends op 7 RECONNECT and op 9 INVALID_SESSION on demand', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    expect(sim.control.sendReconnect(user.id)).toBe(1);
    await gw.waitFor((p) => p.op === 7);
    expect(sim.control.sendInvalidSession(user.id, true)).toBe(1);
    expect((await gw.waitFor((p) => p.op === 9)).d).toBe(true);
    // A resumable session survives op 7: reconnect and resume.
    await gw.drop();
    const again = track(await TestGateway.resume(gw, user.token));
    await again.waitFor((p) => p.t === 'RESUMED');
  });

  it('closes a user’s sessions with any close code on demand', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    await expect.poll(() => sim.control.connectedSessions(user.id)).toBe(1);
    expect(sim.control.closeSessions(user.id, 4000)).toBe(1);
    expect((await gw.waitForClose()).code).toBe(4000);
    const resumed = track(await TestGateway.resume(gw, user.token));
    await resumed.waitFor((p) => p.t === 'RESUMED');
    sim.control.closeSessions(user.id, 4009);
    expect((await resumed.waitForClose()).code).toBe(4009);
    const after = track(await TestGateway.resume(resumed, user.token));
    expect((await after.waitFor((p) => p.op === 9)).d).toBe(false);
  });

  it('carries required_action in READY and refuses writes with 40002 while verification is required', async () => {
    const account = sim.control.createFaceswapAccount();
    sim.control.setRequiredAction(account.user.id, 'REQUIRE_VERIFIED_PHONE');
    const gw = track(await TestGateway.connect(sim, account.user.token));
    expect((await gw.waitFor((p) => p.t === 'READY')).d.required_action).toBe('REQUIRE_VERIFIED_PHONE');
    const rest = new Rest(sim.apiUrl, account.user.token);
    expect((await rest.request('GET', '/users/@me')).status).toBe(200);
    const write = await rest.request('POST', `/channels/${account.channelId}/messages`, { content: 'hi' });
    expect(write.status).toBe(403);
    expect(((await write.json()) as any).code).toBe(40002);
    sim.control.setRequiredAction(account.user.id, null);
    expect((await rest.request('POST', `/channels/${account.channelId}/messages`, { content: 'hi' })).status).toBe(200);
  });

  it('closes with 4004 when a token is revoked and rejects it until restored', async () => {
    const user = sim.control.createUser();
    const gw = track(await TestGateway.connect(sim, user.token));
    sim.control.revokeToken(user.id);
    expect((await gw.waitForClose()).code).toBe(4004);
    expect((await new Rest(sim.apiUrl, user.token).request('GET', '/users/@me')).status).toBe(401);
    sim.control.restoreToken(user.id);
    expect((await new Rest(sim.apiUrl, user.token).request('GET', '/users/@me')).status).toBe(200);
  });
});

/** A socket that only records how the server closed it. */
class TestGatewayProbe {
  private readonly code: Promise<number>;
  constructor(url: string) {
    const ws = new WebSocket(url);
    this.code = new Promise((resolve) => ws.on('close', (code: number) => resolve(code)));
  }
  closeCode(): Promise<number> {
    return this.code;
  }
}
