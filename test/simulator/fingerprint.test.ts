import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { png, Rest, TestGateway } from './helpers.ts';

/** The raw test client sends no browser fingerprint: exactly what the simulator must flag. */
describe('the simulator judges the fingerprint', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, heartbeatIntervalMs: 250 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const problems = (userId: string) => sim.control.report().fingerprintViolations.filter((v) => v.userId === userId).map((v) => `${v.where}: ${v.problem}`);

  it('flags REST requests without browser headers, and a User-Agent that contradicts the super properties', async () => {
    const account = sim.control.createFaceswapAccount();
    await new Rest(sim.apiUrl, account.user.token).json('GET', '/users/@me');
    expect(problems(account.user.id).join('\n')).toMatch(/rest: missing browser headers: .*x-super-properties.*origin.*sec-fetch-site/);
    const props = Buffer.from(JSON.stringify({ browser_user_agent: 'Mozilla/5.0 Chrome/140.0.0.0', client_build_number: 1, system_locale: 'en-US' })).toString('base64');
    await new Rest(sim.apiUrl, account.user.token).request('GET', '/users/@me', undefined, { 'user-agent': 'Mozilla/5.0 Chrome/141.0.0.0', 'x-super-properties': props, 'x-discord-locale': 'de-DE' });
    const found = problems(account.user.id).join('\n');
    expect(found).toContain('User-Agent differs from X-Super-Properties.browser_user_agent');
    expect(found).toContain('X-Discord-Locale differs from X-Super-Properties.system_locale');
    expect(found).toMatch(/client properties without .*has_client_mods.*client_launch_id.*launch_signature.*client_heartbeat_session_id.*client_app_state/);
  });

  it('flags IDENTIFY with capabilities 0, without the Gateway-only fields, after an upgrade without browser headers', async () => {
    const account = sim.control.createFaceswapAccount();
    const gateway = await TestGateway.connect(sim, account.user.token);
    gateway.close();
    const found = problems(account.user.id).join('\n');
    expect(found).toContain('gateway: IDENTIFY capabilities 0');
    expect(found).toMatch(/gateway: upgrade without browser headers: user-agent, origin, accept-language/);
    expect(found).toMatch(/gateway: IDENTIFY properties without is_fast_connect, gateway_connect_reasons/);
  });

  it('flags an upload named blob, and a PUT whose Content-Type contradicts the name', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    await rest.upload(account.channelId, 'blob', png(1));
    await rest.upload(account.channelId, 'face.jpg', png(2), 'image/png');
    const found = problems(account.user.id).join('\n');
    expect(found).toContain("upload: upload named 'blob' (no real file name)");
    expect(found).toContain('upload: upload PUT Content-Type image/png contradicts the name face.jpg');
  });
});
