/**
 * The callback address policy over HTTP: every spelling of an internal target is refused when a
 * command is submitted; public targets pass; result-retention downloads obey the same policy.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every class the policy must refuse, in the spellings an attacker would try. */
const INTERNAL_TARGETS = [
  // IPv4 private, loopback, link-local, CGNAT, "this network"
  'http://127.0.0.1/h', 'http://127.1/h', 'http://2130706433/h', 'http://0x7f.0.0.1/h', 'http://0177.0.0.1/h', 'http://0.0.0.0/h',
  'http://10.1.2.3/h', 'http://172.20.0.1/h', 'http://192.168.0.10/h', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/h', 'http://100.127.255.254/h',
  // TEST-NETs, benchmarking, IETF, 6to4 relay, multicast, reserved, broadcast
  'http://192.0.2.1/h', 'http://198.51.100.7/h', 'http://203.0.113.9/h', 'http://198.18.0.1/h', 'http://198.19.255.1/h', 'http://192.0.0.8/h', 'http://192.88.99.1/h',
  'http://224.0.0.1/h', 'http://239.255.255.250/h', 'http://240.0.0.1/h', 'http://255.255.255.255/h',
  // IPv6 loopback, unspecified, IPv4-compatible, IPv4-mapped (dotted and hex), SIIT
  'http://[::1]/h', 'http://[0:0:0:0:0:0:0:1]/h', 'http://[::]/h', 'http://[::127.0.0.1]/h', 'http://[::a00:1]/h',
  'http://[::ffff:10.0.0.1]/h', 'http://[::ffff:a00:1]/h', 'http://[::ffff:127.0.0.1]/h', 'http://[::ffff:0:a00:1]/h', 'http://[::ffff:0:8.8.8.8]/h',
  // 6to4 (2002:0a00:0001:: embeds 10.0.0.1), Teredo, NAT64 well-known and local-use
  'http://[2002:a00:1::1]/h', 'http://[2002:7f00:1::]/h', 'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/h',
  'http://[64:ff9b::a00:1]/h', 'http://[64:ff9b::127.0.0.1]/h', 'http://[64:ff9b:1::a00:1]/h', 'http://[64:ff9b:1:ffff::1]/h',
  // unique-local, site-local, link-local, multicast, documentation, benchmarking, discard
  'http://[fd00::1]/h', 'http://[fc12:3456::1]/h', 'http://[fec0::1]/h', 'http://[fe80::1]/h', 'http://[ff02::1]/h', 'http://[2001:db8::1]/h', 'http://[2001:2::1]/h', 'http://[100::1]/h',
  // local names, trailing dots, case
  'http://localhost/h', 'http://localhost./h', 'http://LOCALHOST/h', 'http://localhost../h', 'http://api.localhost/h', 'http://a.b.localhost./h',
  'http://localhost.localdomain/h', 'http://ip6-localhost/h', 'http://printer.local/h', 'http://db.internal/h', 'http://router.home.arpa/h', 'http://intranet/h',
];

/** This host's own addresses (its public ones included) as URL hosts. */
const OWN_TARGETS = Object.values(os.networkInterfaces())
  .flat()
  .filter((e) => e !== undefined && !e.internal && !e.address.includes('%'))
  .map((e) => (e!.family === 'IPv6' ? `http://[${e!.address}]/h` : `http://${e!.address}/h`));

describe('replyUrl policy over HTTP', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    token = await server.newToken();
  });
  afterAll(() => server.close());

  const submit = (replyUrl: string) => server.call('POST', '/v1/pika/create', { token, json: { prompt: 'a cat', replyUrl } });

  it.each([...INTERNAL_TARGETS, ...OWN_TARGETS, `http://${os.hostname()}/h`, `http://${os.hostname()}./h`])('refuses %s when a command is submitted', async (url) => {
    const response = await submit(url);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/loopback or private address/), code: 400 });
  });

  it.each(['https://hooks.example.com/switchboard?key=1', 'http://93.184.216.34/h', 'http://[2606:4700::1111]/h', 'http://[2a00:1450:4001::1]/h', 'http://8.8.8.8/h'])(
    'lets the public target %s through to account selection',
    async (url) => {
      const response = await submit(url);
      // No account is configured: the call gets past the policy and stops at account selection.
      expect(response.status).toBeLessThan(500);
      expect(((await response.json()) as { error: string }).error).not.toMatch(/replyUrl/);
    },
  );
});

describe('result-retention downloads', () => {
  let h: Harness;

  beforeAll(async () => {
    // The simulator's CDN is on 127.0.0.1: with private targets refused, nothing may be fetched from it.
    h = await startHarness({ simulator: { botLatencyMs: 5 }, env: { SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: '0', SWITCHBOARD_RETAIN_RESULTS: '1' } });
    await h.addFaceswapAccount();
  });
  afterAll(() => h.close());

  it('refuses to copy a result from an internal address, and the job still completes with Discord’s links', async () => {
    const job = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2) }) })).json();
    expect(job.status).toBe('completed');
    expect(job.attachments.length).toBeGreaterThan(0);
    expect(job.results ?? []).toEqual([]);
  });
});
