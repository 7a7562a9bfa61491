/**
 * The browser-TLS transport (wreq-js) against the simulator: REST, the cloud upload and the Gateway
 * WebSocket all work through it, with the same headers and a clean fingerprint report, directly
 * and through a proxy. (The simulator speaks plain HTTP, so the TLS handshake itself is measured in
 * `bench/tls-transport.ts`, not here.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { chromeTransport, emulationFor, loadWreq, resolveProfile, type DiscordAccountClient, type Transport } from '../../../src/discord/index.ts';
import { startHttpProxy, type TestProxy } from '../../support/proxy-server.ts';
import { accountClient, PNG_1x1, simulator } from './helpers.ts';

describe('the browser-TLS transport (SWITCHBOARD_TLS=chrome)', () => {
  let sim: Simulator;
  let proxy: TestProxy;
  const clients: Array<{ client: DiscordAccountClient; transport: Transport }> = [];

  beforeAll(async () => {
    sim = await simulator();
    proxy = await startHttpProxy();
  });
  afterAll(async () => {
    for (const { client, transport } of clients) {
      client.stop();
      await transport.close();
    }
    await sim?.close();
    await proxy?.close();
  });

  it('picks the wreq browser profile matching the account profile', async () => {
    const profiles = (await loadWreq()).getProfiles() as string[];
    expect(emulationFor(resolveProfile({ browserVersion: '143.0.0.0' }), profiles)).toEqual({ browser: 'chrome_143', os: 'windows' });
    expect(emulationFor(resolveProfile({ browser: 'Firefox', browserVersion: '140.0', os: 'Linux' }), profiles)).toMatchObject({ browser: expect.stringMatching(/^firefox_1(3\d|40)$/), os: 'linux' });
    expect(emulationFor(resolveProfile({ browserVersion: '999.0.0.0' }), ['chrome_140', 'chrome_149'])).toMatchObject({ browser: 'chrome_149' });
    expect(emulationFor(resolveProfile({ browserVersion: '100.0.0.0' }), ['chrome_140', 'chrome_149'])).toMatchObject({ browser: 'chrome_149' });
  });

  for (const viaProxy of [false, true]) {
    it(`runs a command with an upload and keeps a Gateway session${viaProxy ? ', through a proxy' : ''}, with a clean fingerprint report`, async () => {
      const account = sim.control.createFaceswapAccount();
      const profile = resolveProfile({});
      const transport = chromeTransport({ profile, ...(viaProxy ? { proxy: proxy.url } : {}) });
      const client = accountClient(sim, account.user.token, { transport, profile });
      clients.push({ client, transport });
      await client.start();
      const handle = await client.invokeCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'saveid', options: { idname: 'wreq' }, files: { image: { filename: 'blob', data: PNG_1x1 } } });
      await handle.waitFor(() => true, { timeoutMs: 5000 });
      handle.close();
      const report = sim.control.report();
      expect(report.interactions.filter((i) => i.userId === account.user.id).at(-1)).toMatchObject({ name: 'saveid', attachments: { image: 'image.png' } });
      expect(report.fingerprints[account.user.id]!.gateway!.upgradeHeaders['user-agent']).toBe(profile.userAgent);
      expect(report.fingerprintViolations.filter((v) => v.userId === account.user.id)).toEqual([]);
      expect(sim.control.connectedSessions(account.user.id)).toBe(1);
      if (viaProxy) {
        expect(proxy.sent().toLowerCase()).toContain(`authorization: ${account.user.token.toLowerCase()}`);
        expect(proxy.count('GET /gateway')).toBeGreaterThanOrEqual(1);
      }
    });
  }
});
