/** Saving an account checks its token and channel against (simulated) Discord. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('account verification on save', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ runtime: { health: { tickMs: 20, policy: { unreachableProbeMs: 50 } } } });
  });
  afterAll(() => h.close());

  const save = (bot: string, channel: string, body: Record<string, unknown>) => h.call('POST', `/v1/${bot}/account/${channel}`, { json: body });
  const health = async (channel: string) => (await h.services.store.accounts.listAll()).find((a) => a.channel === channel)!.health;

  it('saves an account Discord accepts as active', async () => {
    const a = h.sim.control.createFaceswapAccount();
    expect((await save('faceswap', a.channelId, { discord: a.user.token, server: a.guildId, channel: a.channelId })).status).toBe(204);
    expect(await health(a.channelId)).toMatchObject({ state: 'active', reason: 'verified' });
    const p = h.sim.control.createPikaAccount();
    expect((await save('pika', p.channelId, { discord: p.user.token, channel: p.channelId, maxJobs: 2 })).status).toBe(204);
  });

  it('refuses a token Discord rejects, and saves nothing', async () => {
    const a = h.sim.control.createFaceswapAccount();
    const response = await save('faceswap', a.channelId, { discord: 'not-a-real-token', server: a.guildId, channel: a.channelId });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'Discord rejected the discord token (401 Unauthorized)', code: 400 });
    expect((await h.call('GET', `/v1/faceswap/account/${a.channelId}`)).status).toBe(404);
  });

  it('refuses a channel Discord does not know, or one outside the given server', async () => {
    const a = h.sim.control.createFaceswapAccount();
    const unknown = await save('faceswap', '1234567890123456789', { discord: a.user.token, server: a.guildId, channel: '1234567890123456789' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(/^Discord does not know channel 1234567890123456789/);
    const other = h.sim.control.createFaceswapAccount();
    const wrongServer = await save('faceswap', a.channelId, { discord: a.user.token, server: other.guildId, channel: a.channelId });
    expect(wrongServer.status).toBe(400);
  });

  it('saves an account as unreachable when Discord does not answer, and the re-prober brings it back', async () => {
    const a = h.sim.control.createFaceswapAccount();
    h.sim.control.injectRestFault(a.user.id, { kind: 'server-error', status: 502 }, 6);
    expect((await save('faceswap', a.channelId, { discord: a.user.token, server: a.guildId, channel: a.channelId })).status).toBe(204);
    expect((await health(a.channelId)).state).toBe('unreachable');
    h.sim.control.clearRestFaults(a.user.id);
    await waitUntil(async () => (await health(a.channelId)).state === 'active');
    expect(await (await h.call('GET', `/v1/faceswap/account/${a.channelId}`)).json()).toEqual({ server: a.guildId, channel: a.channelId, discord: a.user.token });
  });
});
