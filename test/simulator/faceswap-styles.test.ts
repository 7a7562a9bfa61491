/** The simulated InsightFaceSwap's reply styles (issue 12 item 8), seen over a real Gateway socket. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FACESWAP_STYLE, FACESWAP_APPLICATION_ID, startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { png, Rest, slash, TestGateway, type SlashOptions } from './helpers.ts';

describe('simulated InsightFaceSwap reply styles', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, heartbeatIntervalMs: 250, interactionTimeoutMs: 300 });
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.close());
    sim.control.setFaceswapStyle(DEFAULT_FACESWAP_STYLE);
  });
  afterAll(() => sim.close());

  async function setup() {
    const account = sim.control.createFaceswapAccount();
    const gw = await TestGateway.connect(sim, account.user.token);
    sockets.push(gw);
    const rest = new Rest(sim.apiUrl, account.user.token);
    const send = async (name: string, o: Partial<SlashOptions> = {}) => {
      const { response, nonce } = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name, sessionId: gw.sessionId, ...o });
      expect(response.status).toBe(204);
      return nonce;
    };
    await send('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png(1)] } });
    await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && /saved/.test(p.d.content));
    const swap = (file = 't.png') => send('swapid', { options: { idname: 'me' }, files: { image: [file, png(2)] } });
    const fromBot = (p: { t?: string | null; d: any }) => p.d?.author?.id === FACESWAP_APPLICATION_ID;
    return { account, gw, swap, fromBot };
  }

  it('acknowledges ephemerally and edits the acknowledgement into the result', async () => {
    sim.control.setFaceswapStyle({ ack: 'ephemeral', result: 'edit' });
    const { gw, swap, fromBot } = await setup();
    const nonce = await swap();
    const ack = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === nonce)).d;
    expect(ack.flags & 64).toBe(64);
    expect(ack.content).toContain('command sent');
    const edit = (await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.id === ack.id && fromBot(p))).d;
    expect(edit.attachments).toHaveLength(1);
  });

  it('replies to the public acknowledgement with a message_reference', async () => {
    sim.control.setFaceswapStyle({ result: 'reply' });
    const { gw, swap } = await setup();
    const nonce = await swap();
    const ack = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === nonce)).d;
    const reply = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.message_reference?.message_id === ack.id)).d;
    expect(reply).toMatchObject({ type: 19 });
    expect(reply.attachments).toHaveLength(1);
  });

  it('posts the result without a mention, and without any acknowledgement as the interaction response', async () => {
    sim.control.setFaceswapStyle({ result: 'message-no-mention' });
    const first = await setup();
    await first.swap();
    const plain = (await first.gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && first.fromBot(p) && p.d.attachments.length === 1)).d;
    expect(plain.mentions).toEqual([]);
    expect(plain.content).not.toContain('<@');
    expect(plain.nonce).toBeUndefined();

    sim.control.setFaceswapStyle({ ack: 'none' });
    const second = await setup();
    const nonce = await second.swap();
    const response = (await second.gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === nonce)).d;
    expect(response.attachments).toHaveLength(1);
  });

  it('answers errors as a red embed with only a mention in content', async () => {
    sim.control.setFaceswapStyle({ errors: 'embed' });
    const { account, gw, swap, fromBot } = await setup();
    await swap('noface.png');
    const error = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && fromBot(p) && p.d.embeds.length > 0)).d;
    expect(error.content).toBe(`<@${account.user.id}>`);
    expect(error.embeds[0]).toMatchObject({ color: 0xed4245, description: expect.stringContaining('no face') });
  });

  it('posts a late result after INTERACTION_FAILURE', async () => {
    const { gw, swap, fromBot } = await setup();
    sim.control.answerLateNextFaceswapJobs(1);
    const nonce = await swap();
    const failure = await gw.waitFor((p) => p.t === 'INTERACTION_FAILURE' && p.d.nonce === nonce);
    const late = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && fromBot(p) && p.d.attachments.length === 1)).d;
    expect(BigInt(late.id) > BigInt(failure.d.id)).toBe(true);
  });

  it('refuses an unknown style through the HTTP control API', async () => {
    const response = await fetch(`${sim.controlUrl}/faceswap/style`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: 'carrier-pigeon' }) });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain('style result must be one of');
  });
});
