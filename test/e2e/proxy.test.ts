/**
 * Per-account outbound proxies, end to end: real HTTP and SOCKS5 proxy servers started here count
 * the tunnels and keep what went through them. An account with a proxy sends all of its REST
 * calls, uploads and its Gateway connection through it; an account without one does not; a proxy
 * that refuses marks only its own account unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { deadPort, startHttpProxy, startSocksProxy, type TestProxy } from '../support/proxy-server.ts';
import { waitUntil } from '../support/wait.ts';

// Both transports: Node's own TLS (default) and the browser-TLS one (wreq-js).
for (const tls of ['node', 'chrome'] as const) describe(`per-account outbound proxies (SWITCHBOARD_TLS=${tls})`, () => {
  let h: Harness;
  let httpProxy: TestProxy;
  let socksProxy: TestProxy;

  beforeAll(async () => {
    httpProxy = await startHttpProxy({ username: 'alice', password: 's3cret:pw' });
    socksProxy = await startSocksProxy({ username: 'bob', password: 'hunter2' });
    // Result retention on: the CDN downloads of result files must go through the proxy too.
    h = await startHarness({ env: { SWITCHBOARD_RETAIN_RESULTS: '1', SWITCHBOARD_TLS: tls } });
  });
  afterAll(async () => {
    await h?.close();
    await httpProxy?.close();
    await socksProxy?.close();
  });

  const addAccount = async (proxy?: string) => {
    const account = h.sim.control.createFaceswapAccount();
    const response = await h.call('POST', `/v1/faceswap/account/${account.channelId}`, { json: { discord: account.user.token, server: account.guildId, channel: account.channelId, ...(proxy !== undefined ? { proxy } : {}) } });
    return { account, response };
  };
  const health = async (channel: string) => (await h.services.store.accounts.listAll()).find((a) => a.channel === channel)!.health;
  const tokenCount = (proxy: TestProxy, token: string) => proxy.sent().toLowerCase().split(`authorization: ${token.toLowerCase()}`).length - 1;
  const restRequests = (userId: string) => h.sim.control.report().fingerprints[userId]?.restRequests ?? 0;

  it('routes every REST call, upload and the Gateway of a proxied account through its proxy, and nothing of an account without one', async () => {
    const viaHttp = await addAccount(httpProxy.url);
    const viaSocks = await addAccount(socksProxy.url);
    const direct = await addAccount();
    for (const a of [viaHttp, viaSocks, direct]) expect(a.response.status, await a.response.clone().text()).toBe(204);

    for (const { account } of [viaHttp, viaSocks, direct]) {
      const saved = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'alice', image: png(5), channel: account.channelId }) });
      expect(saved.status, await saved.clone().text()).toBe(200);
      expect(await saved.json()).toMatchObject({ status: 'completed', channel: account.channelId });
      // A result with a file: retained by downloading it from the (simulated) CDN.
      const swapped = await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(8), channel: account.channelId }) });
      const job = await swapped.json();
      expect(swapped.status, JSON.stringify(job)).toBe(200);
      expect(job.results?.length, JSON.stringify(job)).toBe(1);
    }

    for (const [proxy, { account }] of [[httpProxy, viaHttp], [socksProxy, viaSocks]] as const) {
      expect(proxy.connections).toBeGreaterThan(0);
      // Every authenticated request the simulator received from this user came through the proxy.
      await waitUntil(() => tokenCount(proxy, account.user.token) === restRequests(account.user.id), 5000, 'proxied REST count to match');
      expect(restRequests(account.user.id)).toBeGreaterThanOrEqual(4); // verify (2), command index, upload slot, interaction…
      expect(proxy.count('PUT /_uploads/')).toBeGreaterThanOrEqual(2);
      expect(proxy.count('GET /attachments/')).toBe(1); // the retained result, from the CDN
      expect(proxy.count('GET /gateway?v=9&encoding=json')).toBeGreaterThanOrEqual(1);
      expect(h.sim.control.connectedSessions(account.user.id)).toBe(1);
    }
    // The direct account's result download did not use either proxy (one download per proxied account).
    // Nothing of the direct account, and nothing of one account in the other's proxy.
    for (const proxy of [httpProxy, socksProxy]) expect(tokenCount(proxy, direct.account.user.token)).toBe(0);
    expect(tokenCount(httpProxy, viaSocks.account.user.token)).toBe(0);
    expect(tokenCount(socksProxy, viaHttp.account.user.token)).toBe(0);
    expect(restRequests(direct.account.user.id)).toBeGreaterThan(0);

    // The proxy is shown back with its password masked; the stored value is ciphertext.
    const shown = await (await h.call('GET', `/v1/faceswap/account/${viaHttp.account.channelId}`)).json();
    expect(shown.proxy).toBe(httpProxy.url.replace('s3cret%3Apw', '****'));
    const row = (await h.services.store.accounts.listAll()).find((a) => a.channel === viaHttp.account.channelId)!;
    expect(row.proxy).not.toContain('s3cret');
    expect(row.proxy).not.toContain('127.0.0.1');
  });

  it('marks only the account whose proxy refuses connections unreachable, with that reason', async () => {
    const healthy = await addAccount(httpProxy.url);
    const dead = await addAccount(`socks5://127.0.0.1:${await deadPort()}`);
    expect(dead.response.status, await dead.response.clone().text()).toBe(204);
    expect(await health(dead.account.channelId)).toMatchObject({ state: 'unreachable', reason: 'proxy_unreachable' });
    expect((await health(dead.account.channelId)).detail).toMatch(/through proxy socks5:\/\/127\.0\.0\.1:\d+/);
    expect(await health(healthy.account.channelId)).toMatchObject({ state: 'active' });
    const calls = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'bob', image: png(6), channel: healthy.account.channelId }) });
    expect(calls.status).toBe(200);
  });

  it('refuses a proxy that is not an http, https or socks5 URL, without echoing it', async () => {
    for (const proxy of ['ftp://127.0.0.1:21', 'not a url', 'http://user:pw@host:3128/path']) {
      const { response } = await addAccount(proxy);
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toMatch(/^Optional param proxy is not valid/);
      expect(JSON.stringify(body)).not.toContain('pw@');
    }
  });
});

describe('the default proxy (SWITCHBOARD_PROXY) and the build number found at start', () => {
  let h: Harness;
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startHttpProxy();
    h = await startHarness({ env: { SWITCHBOARD_PROXY: proxy.url, SWITCHBOARD_RETAIN_RESULTS: '0' }, simulator: { webBuildNumber: 512345 } });
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  it('sends accounts without a proxy of their own through the default one, with the build number read from the web app', async () => {
    // Discovery at start went through the default proxy too.
    expect(proxy.count('GET /login')).toBe(1);
    const account = await h.addFaceswapAccount();
    const saved = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'carol', image: png(7) }) });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const token = account.discord.toLowerCase();
    await waitUntil(() => proxy.sent().toLowerCase().split(`authorization: ${token}`).length - 1 === h.sim.control.report().fingerprints[account.userId]!.restRequests, 5000, 'all REST through the default proxy');
    const seen = h.sim.control.report().fingerprints[account.userId]!;
    expect(seen.rest!.superProperties!.client_build_number).toBe(512345);
    expect(seen.gateway!.properties.client_build_number).toBe(512345);
  });
});
