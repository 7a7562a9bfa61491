import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { download, isPng, png, Rest, slash, TestGateway } from './helpers.ts';

describe('simulator smoke', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 1, heartbeatIntervalMs: 200, interactionTimeoutMs: 300 });
  });
  afterAll(() => sim.close());

  it('hands out the same ids, tokens and command versions for the same seed', async () => {
    const world = async () => {
      const other = await startSimulator({ seed: 42 });
      try {
        return { account: other.control.createFaceswapAccount(), pika: other.control.createPikaAccount(), commands: other.control.listCommands('faceswap') };
      } finally {
        await other.close();
      }
    };
    const [a, b] = [await world(), await world()];
    expect(a).toEqual(b);
    const c = sim.control.listCommands('faceswap');
    expect(c.map((x) => x.id)).not.toEqual(a.commands.map((x) => x.id));
  });

  it('runs saveid and swapid from upload to CDN download', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const gw = await TestGateway.connect(sim, account.user.token);
    const save = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'saveid', options: { idname: 'alice' }, files: { image: ['face.png', png()] }, sessionId: gw.sessionId });
    expect(save.response.status).toBe(204);
    const created = await gw.waitFor((p) => p.t === 'INTERACTION_CREATE' && p.d.nonce === save.nonce);
    await gw.waitFor((p) => p.t === 'INTERACTION_SUCCESS' && p.d.id === created.d.id);
    const reply = await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === save.nonce);
    expect(reply.d.content).toContain('alice');
    const swap = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'swapid', options: { idname: 'alice' }, files: { image: ['target.png', png(2)] }, sessionId: gw.sessionId });
    expect(swap.response.status).toBe(204);
    const result = await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.attachments?.length > 0);
    const file = await download(result.d.attachments[0].url);
    expect(file.status).toBe(200);
    expect(isPng(file.bytes)).toBe(true);
    gw.close();
  });
});
