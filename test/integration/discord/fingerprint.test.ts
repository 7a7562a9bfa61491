import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { Capability, type ClientProfile, type DiscordAccountClient } from '../../../src/discord/index.ts';
import { accountClient, nextEvent, PNG_1x1, simulator } from './helpers.ts';

const decode = (header: string) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));

describe('the client passes as one browser (the simulator judges its fingerprint)', () => {
  let sim: Simulator;
  const clients: DiscordAccountClient[] = [];

  beforeAll(async () => {
    sim = await simulator();
  });

  afterAll(async () => {
    for (const c of clients) c.stop();
    await sim?.close();
  });

  const start = async (token: string, profile?: Partial<ClientProfile>) => {
    const client = accountClient(sim, token, profile ? { profile } : {});
    clients.push(client);
    await client.start();
    return client;
  };

  it('sends one consistent profile in REST headers, the Gateway upgrade and IDENTIFY, with real capabilities, and the report stays clean', async () => {
    const account = sim.control.createFaceswapAccount();
    const client = await start(account.user.token);
    await client.getChannel(account.channelId);
    const seen = sim.control.report().fingerprints[account.user.id]!;
    const rest = seen.rest!;
    const gateway = seen.gateway!;
    const ua = client.identity.profile.userAgent;
    expect(ua).toMatch(/^Mozilla\/5\.0 .* Chrome\/\d+\.0\.0\.0 Safari\/537\.36$/);
    expect(rest.headers).toMatchObject({
      'user-agent': ua,
      'origin': 'https://discord.com',
      'referer': 'https://discord.com/channels/@me',
      'x-discord-locale': 'en-US',
      'x-discord-timezone': 'America/New_York',
      'accept-language': 'en-US,en;q=0.9',
      'sec-fetch-dest': 'empty',
      'sec-fetch-mode': 'cors',
      'sec-fetch-site': 'same-origin',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"Windows"',
      'x-debug-options': 'bugReporterEnabled',
      'priority': 'u=1, i',
      // The unproxied REST path (undici.request) advertises what it decodes (`request-fetch.ts`).
      'accept-encoding': 'gzip, deflate, br',
    });
    expect(rest.superProperties).toMatchObject({ browser_user_agent: ua, has_client_mods: false, client_app_state: 'focused', system_locale: 'en-US' });
    expect(gateway.upgradeHeaders).toEqual({ 'user-agent': ua, 'origin': 'https://discord.com', 'accept-language': 'en-US,en;q=0.9' });
    expect(gateway.capabilities).not.toBe(0);
    expect(gateway.capabilities & Capability.DedupeUserObjects).toBeTruthy();
    expect(gateway.properties).toMatchObject({ is_fast_connect: false, gateway_connect_reasons: 'AppSkeleton' });
    // The same browser launch everywhere: launch id, signature, heartbeat session, build number.
    for (const field of ['browser_user_agent', 'browser_version', 'client_build_number', 'client_launch_id', 'launch_signature', 'client_heartbeat_session_id', 'os', 'system_locale']) {
      expect(gateway.properties[field], field).toEqual(rest.superProperties![field]);
    }
    expect(sim.control.report().fingerprintViolations).toEqual([]);
  });

  it('lets a per-account profile change REST, the upgrade and IDENTIFY together, without touching another account', async () => {
    const plain = sim.control.createFaceswapAccount();
    const custom = sim.control.createFaceswapAccount();
    const a = await start(plain.user.token);
    const b = await start(custom.user.token, { browserVersion: '142.0.0.0', os: 'Mac OS X', osVersion: '10.15.7', locale: 'fr-FR', timezone: 'Europe/Paris', buildNumber: 470001 });
    await a.getChannel(plain.channelId);
    await b.getChannel(custom.channelId);
    const report = sim.control.report();
    const mine = report.fingerprints[custom.user.id]!;
    const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
    expect(mine.rest!.headers).toMatchObject({ 'user-agent': ua, 'x-discord-locale': 'fr-FR', 'x-discord-timezone': 'Europe/Paris', 'accept-language': 'fr-FR,fr;q=0.9', 'sec-ch-ua-platform': '"macOS"' });
    expect(mine.rest!.headers['sec-ch-ua']).toContain('"Chromium";v="142"');
    expect(mine.rest!.superProperties).toMatchObject({ os: 'Mac OS X', browser_version: '142.0.0.0', client_build_number: 470001, system_locale: 'fr-FR' });
    expect(mine.gateway!.upgradeHeaders['user-agent']).toBe(ua);
    expect(mine.gateway!.properties).toMatchObject({ os: 'Mac OS X', browser_user_agent: ua, client_build_number: 470001, system_locale: 'fr-FR' });
    const theirs = report.fingerprints[plain.user.id]!;
    expect(theirs.rest!.headers['x-discord-locale']).toBe('en-US');
    expect(theirs.gateway!.properties.client_launch_id).not.toBe(mine.gateway!.properties.client_launch_id);
    expect(report.fingerprintViolations).toEqual([]);
  });

  it('reads READY in the deduplicated layout its capabilities produce, and passes READY_SUPPLEMENTAL on', async () => {
    const pika = sim.control.createPikaAccount();
    const client = accountClient(sim, pika.user.token);
    clients.push(client);
    const supplemental = nextEvent<[string, unknown]>((l) => client.on('dispatch', l), (event) => event === 'READY_SUPPLEMENTAL');
    const ready = await client.start();
    expect((ready.raw.private_channels as Array<Record<string, unknown>>)[0]).toHaveProperty('recipient_ids');
    const dm = ready.privateChannels.find((c) => c.id === pika.channelId)!;
    expect(dm.recipients.map((u) => u.id)).toEqual([pika.applicationId]);
    expect(dm.recipients[0]!.username).toBeTruthy();
    await supplemental;
  });

  it('sends an upload the caller named "blob" as <field>.png, with no Content-Type on the PUT', async () => {
    const account = sim.control.createFaceswapAccount();
    const client = await start(account.user.token);
    const handle = await client.invokeCommand({
      channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'saveid',
      options: { idname: 'blobby' }, files: { image: { filename: 'blob', data: PNG_1x1, contentType: 'application/octet-stream' } },
    });
    await handle.waitFor(() => true, { timeoutMs: 5000 });
    handle.close();
    const received = sim.control.report().interactions.filter((i) => i.userId === account.user.id && i.name === 'saveid').at(-1)!;
    expect(received.attachments).toEqual({ image: 'image.png' });
    expect(sim.control.report().fingerprintViolations.filter((v) => v.userId === account.user.id)).toEqual([]);
  });
});
