import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { CLOSE_CODE_TABLE, GatewayFatalError, type CloseDecision, type DiscordAccountClient, type ReplyEvent } from '../../../src/discord/index.ts';
import { accountClient, hasAttachment, nextEvent, PNG_1x1, simulator } from './helpers.ts';

describe('the gateway session against the simulator', () => {
  let sim: Simulator;
  let client: DiscordAccountClient;
  let account: ReturnType<Simulator['control']['createFaceswapAccount']>;

  beforeAll(async () => {
    sim = await simulator({ heartbeatIntervalMs: 200 });
    account = sim.control.createFaceswapAccount();
    client = accountClient(sim, account.user.token);
    await client.start();
  });

  afterAll(async () => {
    client?.stop();
    await sim?.close();
  });

  const gateway = () => client.gateway;
  const onGateway = <K extends 'ready' | 'resumed' | 'close' | 'reconnecting' | 'fatal'>(event: K) =>
    (listener: (...args: never[]) => void) => gateway().on(event, listener as never);

  /** Waits for the session to come back and says how: `resumed` (same session) or `ready` (new session). */
  const recovery = (): Promise<'resumed' | 'ready'> =>
    Promise.race([
      nextEvent(onGateway('resumed')).then(() => 'resumed' as const),
      nextEvent(onGateway('ready')).then(() => 'ready' as const),
    ]);

  it.each(Object.entries(CLOSE_CODE_TABLE).map(([code, decision]) => [Number(code), decision] as [number, CloseDecision]))(
    'close code %i takes its table row action',
    async (code, decision) => {
      if (gateway().state !== 'ready') await client.start();
      const sessionBefore = gateway().sessionId;
      const closed = nextEvent<[{ code: number | undefined; decision: CloseDecision; planned: boolean }]>(onGateway('close') as never, (info) => !info.planned);

      if (decision.action === 'fatal') {
        const fatal = nextEvent<[GatewayFatalError]>(onGateway('fatal') as never);
        sim.control.closeSessions(account.user.id, code);
        const [error] = await fatal;
        expect(error.closeCode).toBe(code);
        expect((await closed)[0].decision.action).toBe('fatal');
        expect(gateway().state).toBe('fatal');
        await client.start(); // an operator (or the health re-prober) restarts it
        return;
      }

      const reconnecting = nextEvent<[{ mode: string }]>(onGateway('reconnecting') as never);
      const back = recovery();
      sim.control.closeSessions(account.user.id, code);
      const [info] = await closed;
      expect(info.code).toBe(code);
      expect(info.decision.action).toBe(decision.action);
      const [{ mode }] = await reconnecting;
      expect(mode).toBe(decision.action === 'identify' ? 'identify' : 'resume');
      const how = await back;
      if (decision.action === 'identify') {
        expect(how).toBe('ready');
        expect(gateway().sessionId).not.toBe(sessionBefore);
      } else if (code === 1001) {
        // The simulator (like Discord) ends the session on 1001: the resume attempt turns into a new identify.
        await (how === 'ready' ? Promise.resolve() : recovery());
        expect(gateway().state).toBe('ready');
      } else {
        expect(how).toBe('resumed');
        expect(gateway().sessionId).toBe(sessionBefore);
      }
    },
  );

  it('resumes after a socket is killed mid-command and still receives the reply', async () => {
    if (gateway().state !== 'ready') await client.start();
    sim.control.setBotLatency(300);
    try {
      const sessionBefore = gateway().sessionId;
      const handle = await client.invokeCommand({
        channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID,
        name: 'saveid', options: { idname: 'bob' }, files: { image: { filename: 'bob.png', data: PNG_1x1 } },
      });
      const resumed = nextEvent(onGateway('resumed'));
      // Drop the TCP connection without a close frame, as a network failure would.
      (gateway() as unknown as { socket: { terminate(): void } }).socket.terminate();
      await resumed;
      expect(gateway().sessionId).toBe(sessionBefore);
      const reply = await handle.waitFor(() => true, { timeoutMs: 5000 });
      expect(reply.content).toContain('bob');
      handle.close();
    } finally {
      sim.control.setBotLatency(0);
    }
  });

  it('resumes on op 7 RECONNECT and on a resumable op 9', async () => {
    const session = gateway().sessionId;
    let resumed = nextEvent(onGateway('resumed'));
    sim.control.sendReconnect(account.user.id);
    await resumed;
    resumed = nextEvent(onGateway('resumed'));
    sim.control.sendInvalidSession(account.user.id, true);
    await resumed;
    expect(gateway().sessionId).toBe(session);
  });

  it('identifies anew on a non-resumable op 9', async () => {
    const session = gateway().sessionId;
    const ready = nextEvent(onGateway('ready'));
    sim.control.sendInvalidSession(account.user.id, false);
    await ready;
    expect(gateway().sessionId).not.toBe(session);
  });

  it('detects a zombied connection and resumes', async () => {
    const session = gateway().sessionId;
    const planned = nextEvent<[{ decision: CloseDecision; planned: boolean }]>(onGateway('close') as never, (info) => info.planned);
    const resumed = nextEvent(onGateway('resumed'));
    sim.control.suppressHeartbeatAcks(account.user.id, 1);
    const [{ decision }] = await planned;
    expect(decision.meaning).toBe('zombie connection');
    await resumed;
    expect(gateway().sessionId).toBe(session);
  });

  it('reads channel history after a lost session so a reply sent meanwhile is not missed', async () => {
    sim.control.setBotLatency(150);
    try {
      const handle = await client.invokeCommand({
        channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID,
        name: 'swapid', options: { idname: 'bob' }, files: { image: { filename: 't.png', data: PNG_1x1 } },
      });
      await nextEvent<[ReplyEvent]>((l) => handle.on('event', l), (e) => e.type === 'accepted');
      // Lose the session (1000 ends it) while the bot is still working.
      gateway().stop();
      const observer = accountClient(sim, account.user.token);
      // Wait (on Discord's state, via REST) until the result exists in the channel.
      for (;;) {
        const recent = await observer.listMessages(account.channelId, { limit: 5 });
        if (recent.some((m) => hasAttachment(m) && m.content.includes(`<@${account.user.id}>`) && BigInt(m.id) > BigInt(handle.interactionId!))) break;
      }
      expect(handle.messages().some(hasAttachment)).toBe(false);
      await gateway().start(); // a new session: the reply's MESSAGE_CREATE is never replayed to it
      const result = await handle.waitFor(hasAttachment, { timeoutMs: 5000 });
      expect(result.author.id).toBe(FACESWAP_APPLICATION_ID);
      handle.close();
    } finally {
      sim.control.setBotLatency(0);
    }
  });
});
