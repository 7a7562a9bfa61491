import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { DiscordApiError, type DiscordAccountClient } from '../../../src/discord/index.ts';
import { accountClient, PNG_1x1, simulator } from './helpers.ts';

describe('REST rate limits and faults against the simulator', () => {
  let sim: Simulator;
  let client: DiscordAccountClient;
  let account: ReturnType<Simulator['control']['createFaceswapAccount']>;
  let tooManyRequests = 0;

  beforeAll(async () => {
    // Tight budgets so that the client's own burst also runs into real (not only injected) 429s.
    sim = await simulator({ rateLimit: { perToken: { limit: 5, windowMs: 300 }, global: { limit: 8, windowMs: 300 } } });
    account = sim.control.createFaceswapAccount();
    const countingFetch = async (url: string, init: RequestInit): Promise<Response> => {
      const response = await fetch(url, init);
      if (response.status === 429) tooManyRequests++;
      return response;
    };
    client = accountClient(sim, account.user.token, { rest: { minIntervalMs: 0, routeIntervalsMs: {}, retryBaseMs: 20, fetch: countingFetch } });
    await client.start();
  });

  afterAll(async () => {
    client?.stop();
    await sim?.close();
  });

  it('gets through a 429 storm without a single rate-limit violation', async () => {
    sim.control.resetReport();
    tooManyRequests = 0;
    sim.control.injectRestFault(account.user.id, { kind: 'rate-limit', retryAfterMs: 120 }, 3);
    sim.control.injectRestFault(account.user.id, { kind: 'rate-limit', retryAfterMs: 80, global: true }, 2, { path: '/messages' });
    const calls = [
      ...Array.from({ length: 12 }, () => client.listMessages(account.channelId, { limit: 5 })),
      ...Array.from({ length: 6 }, () => client.probe()),
      ...Array.from({ length: 4 }, () => client.getChannel(account.channelId)),
    ];
    await Promise.all(calls);
    const handle = await client.invokeCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    await handle.waitFor(() => true, { timeoutMs: 5000 });
    handle.close();
    const report = sim.control.report();
    expect(tooManyRequests).toBeGreaterThanOrEqual(5); // the storm happened: injected and budget 429s
    expect(report.rateLimitViolations).toEqual([]);
    expect(report.fingerprintViolations).toEqual([]);
  });

  it('backs off on 5xx and succeeds once the server recovers', async () => {
    sim.control.injectRestFault(account.user.id, { kind: 'server-error', status: 502 }, 2);
    const me = await client.probe();
    expect(me.id).toBe(account.user.id);
  });

  it.each([
    ['captcha', 'captcha', 400],
    ['verification-required', 'verification_required', 403],
    ['anti-abuse', 'anti_abuse', 403],
    ['unauthorized', 'unauthorized', 401],
  ] as const)('classifies an injected %s fault as %s', async (fault, kind, status) => {
    sim.control.injectRestFault(account.user.id, { kind: fault }, 1);
    const error = await client.probe().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(error).toMatchObject({ kind, status, method: 'GET', route: '/users/@me', retry: false });
    expect((error as Error).message).not.toContain(account.user.token);
  });

  it('surfaces a captcha on a command as a typed error and a health signal', async () => {
    const signals: string[] = [];
    const off = client.on('signal', (signal) => signals.push(signal.type === 'api_error' ? signal.error.kind : signal.type));
    sim.control.injectRestFault(account.user.id, { kind: 'captcha' }, 1, { method: 'POST', path: '/interactions' });
    const error = await client
      .invokeCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'swapid', options: { idname: 'x' }, files: { image: { filename: 'a.png', data: PNG_1x1 } } })
      .then(() => undefined, (e: unknown) => e);
    off();
    expect(error).toMatchObject({ kind: 'captcha', status: 400, route: '/interactions' });
    expect(signals).toContain('captcha');
  });
});
