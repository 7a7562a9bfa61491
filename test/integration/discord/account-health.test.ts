import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { DiscordAccountClient, verifyAccount } from '../../../src/discord/index.ts';
import { HealthMonitor, healthEventFromSignal, type AccountHealth, type HealthEvent } from '../../../src/accounts/health.ts';
import { accountClient, simulator } from './helpers.ts';
import { waitUntil } from '../../support/wait.ts';

describe('account health against the simulator', () => {
  let sim: Simulator;
  let accounts: Array<ReturnType<Simulator['control']['createFaceswapAccount']>>;
  let clients: Map<string, DiscordAccountClient>;
  let monitor: HealthMonitor;
  const saved: Array<{ id: string; health: AccountHealth }> = [];

  beforeAll(async () => {
    sim = await simulator();
    accounts = [sim.control.createFaceswapAccount(), sim.control.createFaceswapAccount()];
    clients = new Map(accounts.map((a) => [a.user.id, accountClient(sim, a.user.token)]));
    monitor = new HealthMonitor({
      store: { saveHealth: async (id, health) => void saved.push({ id, health }) },
      probe: async (id): Promise<HealthEvent> => {
        await clients.get(id)!.probe();
        return { type: 'probe_ok' };
      },
      policy: { authProbeMs: 100, coolingThresholdMs: 200 },
      tickMs: 20,
    });
    for (const [id, client] of clients) {
      monitor.track(id);
      // The wiring a runner does: every client signal feeds the account's health.
      client.on('signal', (signal) => {
        const event = healthEventFromSignal(signal);
        if (event) void monitor.report(id, event);
      });
      await client.start();
    }
  });

  afterAll(async () => {
    monitor?.stop();
    for (const client of clients?.values() ?? []) client.stop();
    await sim?.close();
  });

  const waitForState = async (id: string, state: AccountHealth['state']): Promise<AccountHealth> => {
    await waitUntil(() => monitor.get(id)?.state === state, 10_000, `account ${id} becoming ${state}`);
    return monitor.get(id)!;
  };

  it('marks a revoked account auth_failed within one second while the others keep working', async () => {
    const [revoked, healthy] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
    const started = Date.now();
    sim.control.revokeToken(revoked.user.id);
    const health = await waitForState(revoked.user.id, 'auth_failed');
    // Promptly (the next scheduled probe is minutes away); generous, since the machine may be loaded.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(health.reason).toBe('token_rejected');
    expect(saved.at(-1)).toMatchObject({ id: revoked.user.id, health: { state: 'auth_failed' } });
    expect(monitor.get(revoked.user.id)?.state).not.toBe('active');

    const other = clients.get(healthy.user.id)!;
    const handle = await other.invokeCommand({ channelId: healthy.channelId, guildId: healthy.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    await handle.waitFor(() => true, { timeoutMs: 5000 });
    handle.close();
    expect(monitor.get(healthy.user.id)?.state).toBe('active');
  });

  it('returns a recovered account to active through the re-prober', async () => {
    const [revoked] = accounts as [(typeof accounts)[0]];
    monitor.start();
    // Still revoked: probes keep failing and the account stays auth_failed.
    await new Promise<void>((resolve) => {
      const off = () => clearInterval(timer);
      const timer = setInterval(() => {
        if ((monitor.get(revoked.user.id)?.failures ?? 0) >= 2) {
          off();
          resolve();
        }
      }, 5);
    });
    expect(monitor.get(revoked.user.id)?.state).toBe('auth_failed');
    sim.control.restoreToken(revoked.user.id);
    const health = await waitForState(revoked.user.id, 'active');
    expect(health.reason).toBe('probe_ok');
    // Back to work: the next command brings the gateway (closed with 4004 earlier) up again.
    const client = clients.get(revoked.user.id)!;
    expect(client.gateway.state).toBe('fatal');
    const handle = await client.invokeCommand({ channelId: revoked.channelId, guildId: revoked.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    await handle.waitFor(() => true, { timeoutMs: 5000 });
    handle.close();
    expect(client.gateway.state).toBe('ready');
  });

  it('cools an account down during a long 429 and returns it to active when requests succeed again', async () => {
    const [, account] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
    const client = clients.get(account.user.id)!;
    monitor.stop(); // no re-probes here: the account must come back through its own requests
    sim.control.injectRestFault(account.user.id, { kind: 'rate-limit', retryAfterMs: 400 }, 1);
    const listing = client.listMessages(account.channelId, { limit: 1 });
    const cooling = await waitForState(account.user.id, 'cooling_down');
    expect(cooling.reason).toBe('rate_limited');
    expect(monitor.get(account.user.id)?.state).not.toBe('active');
    await listing; // the client waited the 429 out by itself
    const back = await waitForState(account.user.id, 'active');
    expect(back.reason).toBe('request_ok');
    expect(sim.control.report().rateLimitViolations).toEqual([]);
  });
});

describe('account verification on save', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('accepts a working token and a channel it can see', async () => {
    const a = sim.control.createFaceswapAccount();
    const result = await verifyAccount({ token: a.user.token, channelId: a.channelId, guildId: a.guildId, apiUrl: sim.apiUrl });
    expect(result).toMatchObject({ ok: true, user: { id: a.user.id }, channel: { id: a.channelId } });
    const pika = sim.control.createPikaAccount();
    expect((await verifyAccount({ token: pika.user.token, channelId: pika.channelId, apiUrl: sim.apiUrl })).ok).toBe(true);
  });

  it('reports a rejected token, an unknown channel, a channel without access and a network failure', async () => {
    const a = sim.control.createFaceswapAccount();
    const b = sim.control.createFaceswapAccount();
    sim.control.revokeToken(b.user.id);
    const rejected = await verifyAccount({ token: b.user.token, channelId: b.channelId, apiUrl: sim.apiUrl });
    expect(rejected).toMatchObject({ ok: false, reason: 'token_rejected' });
    expect(rejected.ok === false && rejected.message).not.toContain(b.user.token);

    const unknown = await verifyAccount({ token: a.user.token, channelId: '1234567890123456789', apiUrl: sim.apiUrl });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown_channel' });

    const c = sim.control.createFaceswapAccount();
    const noAccess = await verifyAccount({ token: a.user.token, channelId: c.channelId, apiUrl: sim.apiUrl });
    expect(noAccess).toMatchObject({ ok: false, reason: 'no_access' });

    const wrongGuild = await verifyAccount({ token: a.user.token, channelId: a.channelId, guildId: c.guildId, apiUrl: sim.apiUrl });
    expect(wrongGuild).toMatchObject({ ok: false, reason: 'unknown_channel' });

    const down = await verifyAccount({ token: a.user.token, channelId: a.channelId, apiUrl: 'http://127.0.0.1:9/api/v9', timeoutMs: 2000 });
    expect(down).toMatchObject({ ok: false, reason: 'network_failure' });
  });
});
