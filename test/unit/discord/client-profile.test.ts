import { describe, expect, it } from 'vitest';
import { ClientIdentity, HEARTBEAT_SESSION_ROTATE_MS, parseProfileInput, resolveProfile, secChUa, uploadName } from '../../../src/discord/index.ts';
import { discoverBuildNumber } from '../../../src/discord/index.ts';

const decode = (header: string) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));

describe('the client profile', () => {
  it('derives one consistent identity: user agent, super properties, REST and upgrade headers agree', () => {
    const identity = new ClientIdentity({ browserVersion: '143.0.0.0', locale: 'de-DE', timezone: 'Europe/Berlin', buildNumber: 482285 });
    const rest = identity.restHeaders();
    const props = decode(rest['X-Super-Properties']!);
    expect(rest['User-Agent']).toBe('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36');
    expect(props).toMatchObject({ os: 'Windows', browser: 'Chrome', browser_version: '143.0.0.0', browser_user_agent: rest['User-Agent'], system_locale: 'de-DE', client_build_number: 482285, has_client_mods: false, client_app_state: 'focused' });
    expect(rest).toMatchObject({ 'X-Discord-Locale': 'de-DE', 'X-Discord-Timezone': 'Europe/Berlin', 'Accept-Language': 'de-DE,de;q=0.9', 'Origin': 'https://discord.com', 'Referer': 'https://discord.com/channels/@me', 'Sec-Fetch-Site': 'same-origin', 'Sec-CH-UA-Platform': '"Windows"', 'X-Debug-Options': 'bugReporterEnabled' });
    expect(rest['Sec-CH-UA']).toBe('"Google Chrome";v="143", "Chromium";v="143", "Not A(Brand";v="24"');
    expect(identity.gatewayHeaders()).toMatchObject({ 'Origin': 'https://discord.com', 'User-Agent': rest['User-Agent'], 'Accept-Language': 'de-DE,de;q=0.9' });
    const identify = identity.identifyProperties();
    expect({ ...identify, is_fast_connect: undefined, gateway_connect_reasons: undefined }).toEqual({ ...props, is_fast_connect: undefined, gateway_connect_reasons: undefined });
  });

  it('generates Sec-CH-UA as Chromium does for other versions, and none for Firefox', () => {
    expect(secChUa({ browser: 'Chrome', browserVersion: '131.0.0.0' })).toBe('"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"');
    expect(secChUa({ browser: 'Firefox', browserVersion: '140.0' })).toBeUndefined();
    const firefox = new ClientIdentity({ browser: 'Firefox', browserVersion: '140.0', os: 'Linux', osVersion: '' });
    expect(firefox.profile.userAgent).toBe('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0');
    expect(firefox.restHeaders()).not.toHaveProperty('Sec-CH-UA');
  });

  it('keeps launch ids for the life of the identity, clears the client-mod bits of the launch signature, and rotates the heartbeat session every 30 minutes', () => {
    let now = 1_000_000;
    const identity = new ClientIdentity({}, { now: () => now });
    const first = identity.superProperties();
    now += HEARTBEAT_SESSION_ROTATE_MS - 1;
    expect(identity.superProperties().client_heartbeat_session_id).toBe(first.client_heartbeat_session_id);
    now += 1;
    const later = identity.superProperties();
    expect(later.client_heartbeat_session_id).not.toBe(first.client_heartbeat_session_id);
    expect(decode(identity.superPropertiesHeader()).client_heartbeat_session_id).toBe(later.client_heartbeat_session_id);
    expect(later.client_launch_id).toBe(first.client_launch_id);
    expect(later.launch_signature).toBe(first.launch_signature);
    const mask = 0x801010081008002081004001000800n;
    for (let i = 0; i < 50; i++) expect(BigInt(`0x${new ClientIdentity().launchSignature.replaceAll('-', '')}`) & mask).toBe(0n);
    // Two accounts are two browsers: nothing links them.
    expect(new ClientIdentity().launchId).not.toBe(new ClientIdentity().launchId);
  });

  it('lets a later layer change the browser without inheriting a contradicting user agent', () => {
    const p = resolveProfile({ userAgent: 'Mozilla/5.0 custom Chrome/120.0.0.0' }, { browserVersion: '142.0.0.0' });
    expect(p.userAgent).toContain('Chrome/142.0.0.0');
    expect(resolveProfile({ userAgent: 'X' }, { locale: 'fr-FR' }).userAgent).toBe('X');
  });

  it('validates a profile from configuration field by field', () => {
    expect(parseProfileInput({ browser: 'Chrome', locale: 'en-GB', timezone: 'Europe/London', buildNumber: 500000 }, 'P')).toEqual({ ok: true, value: { browser: 'Chrome', locale: 'en-GB', timezone: 'Europe/London', buildNumber: 500000 } });
    expect(parseProfileInput({ timezone: 'Mars/Olympus' }, 'P')).toMatchObject({ ok: false, error: expect.stringContaining('P.timezone') });
    expect(parseProfileInput({ browser: 'Netscape' }, 'P')).toMatchObject({ ok: false });
    expect(parseProfileInput({ buildNumber: -1 }, 'P')).toMatchObject({ ok: false });
    expect(parseProfileInput({ colour: 'red' }, 'P')).toMatchObject({ ok: false, error: expect.stringContaining("unknown field 'colour'") });
    expect(parseProfileInput([], 'P')).toMatchObject({ ok: false });
  });
});

describe('upload names', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  it('names every upload <field>.<extension of its sniffed type>, whatever the client called it', async () => {
    expect(await uploadName({ filename: 'blob', data: png, field: 'image' })).toBe('image.png');
    expect(await uploadName({ filename: 'photo.jpg', data: png, field: 'source_image' })).toBe('source_image.png');
    expect(await uploadName({ filename: 'noext', data: new Blob([png]), field: 'target' })).toBe('target.png');
    expect(await uploadName({ filename: 'clip.mp4', data: Buffer.from('000000206674797069736f6d', 'hex'), field: 'video' })).toBe('video.mp4');
    expect(await uploadName({ filename: 'data.png', data: Buffer.from('hello') })).toBe('data.png');
    expect(await uploadName({ filename: 'blob', data: Buffer.from('hello'), field: 'x' })).toBe('x.bin');
  });
});

describe('build number discovery', () => {
  const site = (pages: Record<string, string | number>) => async (url: string) => {
    const path = new URL(url).pathname;
    const page = pages[path];
    if (page === undefined) return new Response('nope', { status: 404 });
    if (typeof page === 'number') return new Response('', { status: page });
    return new Response(page, { status: 200 });
  };

  it('reads the build number from the web app, last script first', async () => {
    const fetch = site({ '/login': '<script src="/assets/web.aaa111.js"></script><script src="/assets/sentry.bbb222.js"></script>', '/assets/sentry.bbb222.js': 'x={build_number:"512345",y:1}', '/assets/web.aaa111.js': 'nothing' });
    expect(await discoverBuildNumber({ webOrigin: 'https://discord.test', fallback: 1, fetch })).toEqual({ buildNumber: 512345, source: 'discovered' });
  });

  it('falls back to the pinned number, saying why, when the page or the number is missing', async () => {
    expect(await discoverBuildNumber({ webOrigin: 'https://discord.test', fallback: 7, fetch: site({ '/login': 503 }) })).toMatchObject({ buildNumber: 7, source: 'pinned', reason: 'login page answered 503' });
    expect(await discoverBuildNumber({ webOrigin: 'https://discord.test', fallback: 7, fetch: site({ '/login': '<script src="/assets/a1.js">', '/assets/a1.js': 'no number' }) })).toMatchObject({ source: 'pinned', reason: 'no build_number in the script assets' });
    expect(await discoverBuildNumber({ webOrigin: 'https://discord.test', fallback: 7, fetch: async () => { throw new TypeError('fetch failed'); } })).toMatchObject({ source: 'pinned', reason: 'fetch failed' });
  });
});
