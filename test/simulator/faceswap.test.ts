import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, startSimulator, type FaceswapAccount, type Simulator } from '../../src/simulator/index.ts';
import { download, isMp4, isPng, png, Rest, slash, TestGateway, type SlashOptions } from './helpers.ts';
import { sampleMp4 } from '../../src/simulator/media/mp4.ts';

describe('simulated InsightFaceSwap', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, heartbeatIntervalMs: 250, interactionTimeoutMs: 500 });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => sim.close());

  async function setup() {
    const account = sim.control.createFaceswapAccount();
    const gw = await TestGateway.connect(sim, account.user.token);
    sockets.push(gw);
    const rest = new Rest(sim.apiUrl, account.user.token);
    /** Runs a command and resolves with its reply (the MESSAGE_CREATE carrying our nonce). */
    const run = async (name: string, o: Partial<SlashOptions> = {}) => {
      const { response, nonce } = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name, sessionId: gw.sessionId, ...o });
      expect(response.status).toBe(204);
      const reply = await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === nonce);
      return reply.d;
    };
    /** The next unlinked bot message mentioning the user after `afterId`. */
    const result = async (afterId: string) =>
      (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && !p.d.nonce && p.d.author.id === FACESWAP_APPLICATION_ID && BigInt(p.d.id) > BigInt(afterId) && p.d.mentions.some((m: any) => m.id === account.user.id))).d;
    return { account, gw, rest, run, result };
  }

  const mention = (a: FaceswapAccount) => `<@${a.user.id}>`;

  it('saves ids, lists them, sets defaults and deletes them', async () => {
    const { account, run } = await setup();
    expect((await run('saveid', { options: { idname: 'alice' }, files: { image: ['alice.png', png(1)] } })).content).toContain('`alice` saved');
    await run('saveid', { options: { idname: 'bob' }, files: { image: ['bob.png', png(2)] } });
    const list = await run('listid');
    expect(list.content).toContain(mention(account));
    expect(list.content).toMatch(/saved ids \(2\/20\): alice, bob/);
    expect(list.content).toContain('default ids: bob');
    expect((await run('setid', { options: { idname: 'alice,bob' } })).content).toContain('`alice,bob`');
    expect((await run('setid', { options: { idname: '--nogreedy' } })).content).toContain('prefer options set');
    expect((await run('setid', { options: { idname: 'alice --greedy' } })).content).toContain('cannot be set in the same call');
    expect((await run('delid', { options: { idname: 'bob' } })).content).toContain('`bob` deleted');
    expect((await run('delid', { options: { idname: 'bob' } })).content).toContain('not found');
    expect((await run('delall')).content).toContain('all saved ids deleted');
    expect((await run('listid')).content).toContain('(none)');
  });

  it('enforces alphanumeric names of at most 10 characters and at most 20 ids', async () => {
    const { run } = await setup();
    expect((await run('saveid', { options: { idname: 'way-too-long-name' }, files: { image: ['a.png', png()] } })).content).toContain('invalid idname');
    for (let i = 0; i < 20; i++) await run('saveid', { options: { idname: `id${i}` }, files: { image: ['a.png', png(i)] } });
    expect((await run('saveid', { options: { idname: 'one' }, files: { image: ['a.png', png()] } })).content).toContain('at most 20 ids');
  });

  it('answers swapid with "command sent" and then a PNG result mentioning the user, charging credits', async () => {
    const { account, run, result } = await setup();
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png(1)] } });
    const ack = await run('swapid', { options: { idname: 'me' }, files: { image: ['target.png', png(2)] } });
    expect(ack.content).toBe(`${mention(account)} command sent`);
    const done = await result(ack.id);
    expect(done.type).toBe(0);
    expect(done.content).toBe(`${mention(account)} swapid done [idname: me] [credits: 1] [used: 1/50]`);
    const file = await download(done.attachments[0].url);
    expect(file.type).toBe('image/png');
    expect(isPng(file.bytes)).toBe(true);
    expect(sim.control.getCredits(account.user.id)).toEqual({ total: 50, used: 1 });
  });

  it('can post results as interaction follow-ups that name the original response', async () => {
    const { account, gw, run } = await setup();
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png()] } });
    sim.control.setFaceswapResultStyle('follow-up');
    try {
      const ack = await run('swapid', { options: { idname: 'me' }, files: { image: ['t.png', png()] } });
      const followUp = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.interaction_metadata?.original_response_message_id === ack.id)).d;
      expect(followUp).toMatchObject({ type: 20, application_id: FACESWAP_APPLICATION_ID, interaction_metadata: { id: ack.interaction_metadata.id, user: { id: account.user.id } } });
      expect(followUp.nonce).toBeUndefined();
      expect(followUp.attachments).toHaveLength(1);
    } finally {
      sim.control.setFaceswapResultStyle('message');
    }
  });

  it('replies with the unknown-id template before doing any work', async () => {
    const { run } = await setup();
    expect((await run('swapid', { options: { idname: 'ghost' }, files: { image: ['t.png', png()] } })).content).toContain('`ghost` not found');
  });

  it('reports no face for images named noface and for forced failures', async () => {
    const { account, run, result } = await setup();
    expect((await run('saveid', { options: { idname: 'x' }, files: { image: ['noface.png', png()] } })).content).toContain('no face detected');
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png()] } });
    const ack = await run('swapid', { options: { idname: 'me' }, files: { image: ['noface.png', png()] } });
    expect((await result(ack.id)).content).toContain('no face detected');
    sim.control.failNextFaceswapJobs(1, 'botError');
    sim.control.setFaceswapTemplates({ botError: '{user} the GPU caught fire' });
    const ack2 = await run('swapid', { options: { idname: 'me' }, files: { image: ['t.png', png()] } });
    expect((await result(ack2.id)).content).toBe(`${mention(account)} the GPU caught fire`);
    expect(sim.control.getCredits(account.user.id).used).toBe(0);
  });

  it('refuses work without credits and resets them the next day', async () => {
    const { account, run, result } = await setup();
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png()] } });
    sim.control.setCredits(account.user.id, { total: 10, used: 10 });
    expect((await run('swapid', { options: { idname: 'me' }, files: { image: ['t.png', png()] } })).content).toContain('out of credits for today (used 10 of 10)');
    sim.control.advanceTime(24 * 3600 * 1000);
    try {
      const ack = await run('swapid', { options: { idname: 'me' }, files: { image: ['t.png', png()] } });
      expect((await result(ack.id)).content).toContain('[used: 1/10]');
    } finally {
      sim.control.advanceTime(-24 * 3600 * 1000);
    }
  });

  it('runs picsi on an image and on a video target', async () => {
    const { run, result } = await setup();
    const ack = await run('picsi', { files: { source_image: ['src.png', png(1)], target_image_gif_or_video: ['dst.png', png(2)] } });
    const image = await result(ack.id);
    expect(isPng((await download(image.attachments[0].url)).bytes)).toBe(true);
    const ack2 = await run('picsi', { files: { source_image: ['src.png', png(1)], target_image_gif_or_video: ['clip.mp4', sampleMp4()] } });
    const video = await result(ack2.id);
    expect(video.content).toContain('[credits: 20]');
    const file = await download(video.attachments[0].url);
    expect(file.type).toBe('video/mp4');
    expect(isMp4(file.bytes)).toBe(true);
  });

  it('runs headshot and changebg as jobs with a 32-hex jobid and a later result', async () => {
    const { account, run, result } = await setup();
    const submitted = await run('headshot', { options: { prompt: 'a mad king --square' } });
    const match = /^<@\d+>  Picsi\.Ai Headshot Job Submitted \[jobid: ([0-9a-f]{32})\] \[credits: 4\] \[prompt: 'a mad king --square'\]$/.exec(submitted.content);
    expect(match).not.toBeNull();
    const done = await result(submitted.id);
    expect(done.content).toContain(`Job Completed [jobid: ${match![1]}]`);
    expect(isPng((await download(done.attachments[0].url)).bytes)).toBe(true);
    const bg = await run('changebg', { options: { a_background_photo_of: 'a beach' }, files: { image: ['me.png', png()] } });
    expect(bg.content).toMatch(/ChangeBG Job Submitted \[jobid: [0-9a-f]{32}\] \[credits: 2\]/);
    expect((await result(bg.id)).attachments).toHaveLength(1);
    expect(sim.control.getCredits(account.user.id).used).toBe(6);
  });

  it('runs the INSwapper message command on a message with an image', async () => {
    const { account, rest, run, result } = await setup();
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png()] } });
    const uploaded = await rest.upload(account.channelId, 'pic.png', png(5));
    const message = await rest.json('POST', `/channels/${account.channelId}/messages`, { content: '', attachments: [{ id: '0', filename: 'pic.png', uploaded_filename: uploaded }] });
    const ack = await run('INSwapper', { targetId: message.id });
    expect(ack.type).toBe(23);
    expect(ack.interaction_metadata.target_message_id).toBe(message.id);
    const done = await result(ack.id);
    expect(done.content).toContain('INSwapper done [idname: me]');
    const unknown = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'INSwapper', targetId: '1' });
    expect(unknown.response.status).toBe(404);
  });

  it('reports a second command sent to a channel while the first is still running', async () => {
    const { account, rest, run, result } = await setup();
    await run('saveid', { options: { idname: 'me' }, files: { image: ['me.png', png()] } });
    sim.control.resetReport();
    sim.control.setBotLatency(100);
    try {
      const first = slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'swapid', options: { idname: 'me' }, files: { image: ['t.png', png()] } });
      const second = slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
      await Promise.all([first, second]);
      await result('0');
    } finally {
      sim.control.setBotLatency(0);
    }
    const overlaps = sim.control.report().faceswapOverlaps;
    expect(overlaps).toHaveLength(1);
    expect([overlaps[0]!.command, overlaps[0]!.activeCommand].sort()).toEqual(['listid', 'swapid']);
    expect(overlaps[0]!.channelId).toBe(account.channelId);
  });
});
