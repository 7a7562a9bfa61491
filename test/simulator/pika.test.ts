import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type PikaAccount, type Simulator } from '../../src/simulator/index.ts';
import { download, isMp4, nonce, png, Rest, slash, TestGateway, type Dispatch, type SlashOptions } from './helpers.ts';

describe('simulated Pika', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 9, heartbeatIntervalMs: 250, interactionTimeoutMs: 500 });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => sim.close());

  async function setup() {
    const account = sim.control.createPikaAccount();
    const gw = await TestGateway.connect(sim, account.user.token);
    sockets.push(gw);
    const rest = new Rest(sim.apiUrl, account.user.token);
    const start = async (name: string, o: Partial<SlashOptions> = {}) => {
      const { response, nonce } = await slash(rest, { channelId: account.channelId, applicationId: account.applicationId, name, sessionId: gw.sessionId, ...o });
      expect(response.status).toBe(204);
      return (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === nonce)).d;
    };
    /** The final edit of a generation message: the one that carries the video. */
    const final = async (messageId: string) => (await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.id === messageId && p.d.attachments.length > 0, 5000)).d;
    const click = async (message: any, emoji: string) => {
      const button = message.components[0].components.find((c: any) => c.emoji.name === emoji);
      const n = nonce();
      const response = await rest.request('POST', '/interactions', {
        type: 3, nonce: n, channel_id: account.channelId, message_id: message.id, message_flags: message.flags,
        application_id: message.application_id, session_id: gw.sessionId, data: { component_type: 2, custom_id: button.custom_id },
      });
      expect(response.status).toBe(204);
      return n;
    };
    return { account, gw, rest, start, final, click };
  }

  const mention = (a: PikaAccount) => `<@${a.user.id}>`;

  it('creates a video with progress edits, a seeded file name and buttons', async () => {
    const { account, gw, start, final } = await setup();
    const reply = await start('create', { options: { prompt: 'people running around a horse -fps 12 -seed 42' } });
    expect(reply).toMatchObject({ type: 20, content: '', flags: 128 });
    const done = await final(reply.id);
    const queued = gw.payloads.find((p: Dispatch) => p.t === 'MESSAGE_UPDATE' && p.d.id === reply.id)!;
    expect(queued.d.content).toContain('— Queued');
    expect(queued.d.flags).toBe(0);
    const progress = gw.payloads.filter((p: Dispatch) => p.t === 'MESSAGE_UPDATE' && p.d.id === reply.id && p.d.content.includes('Generating'));
    expect(progress.map((p) => /Generating \((\d+)%\)/.exec(p.d.content)?.[1])).toEqual(['25', '50', '75']);
    expect(done.content).toBe(`${mention(account)} Prompt: people running around a horse -fps 12 -seed 42  Author: ${mention(account)}`);
    expect(done.attachments[0].filename).toBe('people_running_around_a_horse_seed42.mp4');
    const file = await download(done.attachments[0].url);
    expect(file.type).toBe('video/mp4');
    expect(isMp4(file.bytes)).toBe(true);
    expect(done.components[0].components.map((c: any) => c.emoji.name)).toEqual(['🔄', '🔀', '❌']);
  });

  it('animates an image and echoes the attachment in the content', async () => {
    const { start, final } = await setup();
    const done = await final((await start('animate', { files: { image: ['cat.png', png()] }, options: { prompt: 'smiling and blinking' } })).id);
    expect(done.content).toContain('Prompt: smiling and blinking  Image: 1 Attachment  Author:');
    expect(done.attachments[0].filename).toMatch(/^smiling_and_blinking_seed\d{19}\.mp4$/);
  });

  it('encrypts a text with a font and names the file like Pika', async () => {
    const { start, final } = await setup();
    const done = await final((await start('encrypt_text', { options: { message: 'Hello', prompt: 'people running around a horse', font: 'BAUHAUS' } })).id);
    expect(done.content).toContain('Prompt: people running around a horse  Message: Hello (Font: BAUHAUS)  Author:');
    expect(done.attachments[0].filename).toMatch(/^people_running_around_a_horse__Message__Hello_Font__BAUHAUS_seed\d{19}\.mp4$/);
  });

  it('encrypts an image', async () => {
    const { start, final } = await setup();
    const done = await final((await start('encrypt_image', { options: { prompt: 'a city at night' }, files: { message: ['logo.png', png(3)] } })).id);
    expect(done.content).toContain('Message: 1 Attachment');
  });

  it('enforces the documented limits: 20-character messages, fonts and parameter ranges', async () => {
    const { rest, account, start } = await setup();
    const long = await slash(rest, { channelId: account.channelId, applicationId: account.applicationId, name: 'encrypt_text', options: { message: 'x'.repeat(21), prompt: 'p' } });
    expect(long.response.status).toBe(400);
    const font = await slash(rest, { channelId: account.channelId, applicationId: account.applicationId, name: 'encrypt_text', options: { message: 'hi', prompt: 'p', font: 'COMIC SANS' } });
    expect(font.response.status).toBe(400);
    expect((await start('create', { options: { prompt: 'a dog -fps 60' } })).content).toContain('Invalid parameter: -fps 60');
  });

  it('retries a finished job with 🔄 as a reply to the clicked message', async () => {
    const { gw, start, final, click } = await setup();
    const done = await final((await start('create', { options: { prompt: 'waves' } })).id);
    const n = await click(done, '🔄');
    await gw.waitFor((p) => p.t === 'INTERACTION_SUCCESS' && p.d.nonce === n);
    const retry = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === n)).d;
    expect(retry.type).toBe(19);
    expect(retry.message_reference.message_id).toBe(done.id);
    expect(retry.interaction_metadata.interacted_message_id).toBe(done.id);
    expect((await final(retry.id)).content).toContain('Prompt: waves');
  });

  it('remixes with 🔀 through a modal', async () => {
    const { gw, rest, account, start, final, click } = await setup();
    const done = await final((await start('create', { options: { prompt: 'waves' } })).id);
    const n = await click(done, '🔀');
    const modal = (await gw.waitFor((p) => p.t === 'INTERACTION_MODAL_CREATE' && p.d.nonce === n)).d;
    expect(modal.components[0].components[0].value).toBe('waves');
    const submit = nonce();
    const response = await rest.request('POST', '/interactions', {
      type: 5, nonce: submit, channel_id: account.channelId, application_id: account.applicationId, session_id: gw.sessionId,
      data: { id: modal.id, custom_id: modal.custom_id, components: [{ type: 1, components: [{ type: 4, custom_id: 'prompt', value: 'storm waves' }] }] },
    });
    expect(response.status).toBe(204);
    const remix = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === submit)).d;
    expect(remix).toMatchObject({ type: 19, message_reference: { message_id: done.id }, interaction_metadata: { type: 5 } });
    expect((await final(remix.id)).content).toContain('Prompt: storm waves');
  });

  it('deletes the result with ❌', async () => {
    const { gw, start, final, click } = await setup();
    const done = await final((await start('create', { options: { prompt: 'waves' } })).id);
    await click(done, '❌');
    await gw.waitFor((p) => p.t === 'MESSAGE_DELETE' && p.d.id === done.id);
  });

  it('fails a click on a custom_id the message does not carry', async () => {
    const { gw, rest, account, start, final } = await setup();
    const done = await final((await start('create', { options: { prompt: 'waves' } })).id);
    const n = nonce();
    await rest.request('POST', '/interactions', { type: 3, nonce: n, channel_id: account.channelId, message_id: done.id, message_flags: 0, application_id: account.applicationId, data: { component_type: 2, custom_id: 'pika:upscale:1' } });
    expect((await gw.waitFor((p) => p.t === 'INTERACTION_FAILURE' && p.d.nonce === n)).d.reason_code).toBe(2);
  });

  it('limits concurrent generations per user with an ephemeral reply', async () => {
    const { account, rest, gw, start } = await setup();
    sim.control.setPikaConcurrency(1);
    sim.control.setBotLatency(50);
    try {
      await start('create', { options: { prompt: 'first' } });
      const second = await start('create', { options: { prompt: 'second' } });
      expect(second.flags & 64).toBe(64);
      expect(second.content).toContain('1 jobs in progress');
      const list = await rest.json('GET', `/channels/${account.channelId}/messages`);
      expect(list.some((m: any) => m.id === second.id)).toBe(false);
      void gw;
    } finally {
      sim.control.setPikaConcurrency(3);
      sim.control.setBotLatency(0);
    }
  });

  it('refuses prompts with banned words as moderated', async () => {
    const { start } = await setup();
    sim.control.setBannedWords(['gore']);
    try {
      expect((await start('create', { options: { prompt: 'Lots of GORE' } })).content).toContain('flagged by our moderation system');
    } finally {
      sim.control.setBannedWords([]);
    }
  });
});
