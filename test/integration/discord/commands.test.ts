import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, type Simulator } from '../../../src/simulator/index.ts';
import { InteractionFailedError, type DiscordAccountClient, type ReplyEvent } from '../../../src/discord/index.ts';
import { accountClient, hasAttachment, nextEvent, PNG_1x1, simulator } from './helpers.ts';

describe('running bot commands against the simulator', () => {
  let sim: Simulator;
  let client: DiscordAccountClient;
  let account: ReturnType<Simulator['control']['createFaceswapAccount']>;

  beforeAll(async () => {
    sim = await simulator({ interactionTimeoutMs: 400 });
    account = sim.control.createFaceswapAccount();
    client = accountClient(sim, account.user.token);
    await client.start();
  });

  afterAll(async () => {
    client?.stop();
    await sim?.close();
  });

  const faceswap = (name: string, extra: Partial<Parameters<DiscordAccountClient['invokeCommand']>[0]> = {}) =>
    client.invokeCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name, ...extra });

  it('runs commands with attachments and matches their replies', async () => {
    const save = await faceswap('saveid', { options: { idname: 'alice' }, files: { image: { filename: 'alice.png', data: PNG_1x1 } } });
    const saved = await save.waitFor(() => true, { timeoutMs: 5000 });
    expect(saved.nonce).toBe(save.nonce);
    save.close();

    const swap = await faceswap('swapid', { options: { idname: 'alice' }, files: { image: { filename: 'target.png', data: PNG_1x1 } } });
    const result = await swap.waitFor(hasAttachment, { timeoutMs: 5000 });
    expect(result.author.id).toBe(FACESWAP_APPLICATION_ID);
    expect(result.mentions?.some((m) => m.id === account.user.id)).toBe(true);
    // The acknowledgement (matched by nonce) and the unlinked result (matched by mention) both belong to the handle.
    expect(swap.messages().map((m) => m.id)).toContain(result.id);
    expect(swap.messages().length).toBeGreaterThanOrEqual(2);
    swap.close();

    const image = await fetch(result.attachments![0]!.url);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

    const report = sim.control.report();
    expect(report.duplicateNonces).toEqual([]);
    expect(report.staleVersions).toEqual([]);
    expect(report.faceswapOverlaps).toEqual([]);
    expect(report.fingerprintViolations).toEqual([]);
  });

  it('runs a message context command against a target message', async () => {
    const swap = await faceswap('swapid', { options: { idname: 'alice' }, files: { image: { filename: 'target.png', data: PNG_1x1 } } });
    const target = await swap.waitFor(hasAttachment, { timeoutMs: 5000 });
    swap.close();
    const handle = await faceswap('INSwapper', { commandType: 3, targetId: target.id });
    const reply = await handle.waitFor(hasAttachment, { timeoutMs: 5000 });
    expect(reply.id).not.toBe(target.id);
    handle.close();
    expect(sim.control.report().interactions.at(-1)).toMatchObject({ type: 2, name: 'INSwapper', outcome: 'success' });
  });

  it('rediscovers a bumped command version without failing the call', async () => {
    await client.resolveCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    sim.control.resetReport();
    const version = sim.control.bumpCommandVersion('faceswap', 'listid');
    const handle = await faceswap('listid');
    const reply = await handle.waitFor(() => true, { timeoutMs: 5000 });
    expect(reply.content).toContain(`<@${account.user.id}>`);
    handle.close();
    const cached = await client.resolveCommand({ channelId: account.channelId, guildId: account.guildId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    expect(cached.version).toBe(version);
    const report = sim.control.report();
    expect(report.staleVersions).toHaveLength(1); // the one rejected attempt that taught us the new version
    expect(report.interactions.filter((i) => i.name === 'listid')).toHaveLength(1);
  });

  it('fails fast when the bot does not respond', async () => {
    sim.control.dropNextInteractions(1, 'faceswap');
    const handle = await faceswap('listid');
    const started = Date.now();
    // Fails on Discord's interaction failure, long before the wait's own (generous) timeout.
    await expect(handle.waitFor(() => true, { timeoutMs: 60_000 })).rejects.toBeInstanceOf(InteractionFailedError);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(handle.status).toBe('failed');
    handle.close();
  });

  it('clicks a button and follows the reply to the clicked message', async () => {
    const pika = sim.control.createPikaAccount();
    const pikaClient = accountClient(sim, pika.user.token);
    try {
      await pikaClient.start();
      // Pika's application id is not public: discover it from the DM channel's command index.
      const apps = await pikaClient.listApplications({ channelId: pika.channelId });
      expect(apps.map((a) => a.id)).toEqual([pika.applicationId]);
      const create = await pikaClient.invokeCommand({ channelId: pika.channelId, applicationId: pika.applicationId, name: 'create', options: { prompt: 'a cat surfing' } });
      const video = await create.waitFor((m) => hasAttachment(m) && (m.components?.length ?? 0) > 0, { timeoutMs: 10_000 });
      create.close();
      const retry = video.components!.flatMap((row) => row.components ?? []).find((c) => c.emoji?.name === '🔄');
      expect(retry?.custom_id).toBeTruthy();
      const click = await pikaClient.clickButton(video, retry!.custom_id!);
      const again = await click.waitFor((m) => hasAttachment(m) && m.id !== video.id, { timeoutMs: 10_000 });
      expect(again.message_reference?.message_id).toBe(video.id);
      click.close();
      expect(sim.control.report().interactions.at(-1)).toMatchObject({ type: 3, outcome: 'success' });

      // 🔀 opens a modal; submitting it (type 5) runs the job with the edited prompt.
      const remixButton = video.components!.flatMap((row) => row.components ?? []).find((c) => c.emoji?.name === '🔀');
      const remix = await pikaClient.clickButton(video, remixButton!.custom_id!);
      const [modalEvent] = await nextEvent<[ReplyEvent]>((l) => remix.on('event', l), (e) => e.type === 'modal');
      remix.close();
      const modal = (modalEvent as Extract<ReplyEvent, { type: 'modal' }>).data;
      const submitted = await pikaClient.submitModal(modal, { prompt: 'a dog surfing' });
      const remixed = await submitted.waitFor((m) => hasAttachment(m) && m.content.includes('a dog surfing'), { timeoutMs: 10_000 });
      expect(remixed.attachments![0]!.filename).toMatch(/^a_dog_surfing_seed\d+\.mp4$/);
      submitted.close();
    } finally {
      pikaClient.stop();
    }
  });

  it('keeps the replies of several accounts working at once apart', async () => {
    const others = Array.from({ length: 4 }, () => sim.control.createFaceswapAccount());
    const clients = others.map((a) => accountClient(sim, a.user.token));
    try {
      await Promise.all(clients.map((c) => c.start()));
      const results = await Promise.all(
        others.map(async (a, i) => {
          const c = clients[i]!;
          const where = { channelId: a.channelId, guildId: a.guildId, applicationId: FACESWAP_APPLICATION_ID };
          const save = await c.invokeCommand({ ...where, name: 'saveid', options: { idname: `id${i}` }, files: { image: { filename: 'f.png', data: PNG_1x1 } } });
          await save.waitFor(() => true, { timeoutMs: 5000 });
          save.close();
          const swap = await c.invokeCommand({ ...where, name: 'swapid', options: { idname: `id${i}` }, files: { image: { filename: 't.png', data: PNG_1x1 } } });
          const result = await swap.waitFor(hasAttachment, { timeoutMs: 5000 });
          swap.close();
          return { account: a, result };
        }),
      );
      for (const { account: a, result } of results) {
        expect(result.channel_id).toBe(a.channelId);
        expect(result.mentions?.map((m) => m.id)).toContain(a.user.id);
      }
      const report = sim.control.report();
      expect(report.rateLimitViolations).toEqual([]);
      expect(report.duplicateNonces).toEqual([]);
      expect(report.faceswapOverlaps).toEqual([]);
    } finally {
      for (const c of clients) c.stop();
    }
  });
});
