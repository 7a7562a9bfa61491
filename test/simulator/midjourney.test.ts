/**
 * The simulated Midjourney bot, driven over plain fetch + ws (not switchboard's client), against
 * the lifecycle of midjourney.md Part C.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIDJOURNEY_APPLICATION_ID, startSimulator, type MidjourneyAccount, type Simulator } from '../../src/simulator/index.ts';
import { download, isPng, nonce, png, Rest, slash, TestGateway, type Dispatch, type SlashOptions } from './helpers.ts';
import { pngSize } from '../../src/simulator/media/png.ts';

const HASH = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('simulated Midjourney bot', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 17, heartbeatIntervalMs: 250, interactionTimeoutMs: 1000 });
  });
  afterEach(() => {
    sockets.splice(0).forEach((s) => s.close());
    sim.control.setBotLatency(0);
    sim.control.midjourney.setConcurrency(3, 10);
    sim.control.midjourney.setStyle({ finalNonce: true, wording: 'current', deleteProgress: true });
    sim.control.midjourney.setBannedWords([]);
    sim.control.midjourney.setDoubtfulWords([]);
  });
  afterAll(() => sim.close());

  async function setup() {
    const account = sim.control.midjourney.createAccount();
    const gw = await TestGateway.connect(sim, account.user.token);
    sockets.push(gw);
    const rest = new Rest(sim.apiUrl, account.user.token);
    const run = async (name: string, o: Partial<SlashOptions> = {}) => {
      const { response, nonce: n } = await slash(rest, { channelId: account.channelId, applicationId: MIDJOURNEY_APPLICATION_ID, name, sessionId: gw.sessionId, ...o });
      expect(response.status).toBe(204);
      const interaction = (await gw.waitFor((p) => p.t === 'INTERACTION_CREATE' && p.d.nonce === n)).d.id as string;
      return { nonce: n, interaction, first: async () => (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === n)).d };
    };
    /** The result: a new bot message linked to the interaction that has an image and no percentage. */
    const result = async (interaction: string) =>
      (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.interaction_metadata?.id === interaction && p.d.attachments.length > 0 && !/\(\d+%\)|Waiting to start/.test(p.d.content), 10_000)).d;
    const click = async (message: any, customId: string) => {
      const n = nonce();
      const response = await rest.request('POST', '/interactions', {
        type: 3, nonce: n, channel_id: account.channelId, message_id: message.id, message_flags: message.flags,
        application_id: MIDJOURNEY_APPLICATION_ID, session_id: gw.sessionId, data: { component_type: 2, custom_id: customId },
      });
      expect(response.status).toBe(204);
      const interaction = (await gw.waitFor((p) => p.t === 'INTERACTION_CREATE' && p.d.nonce === n)).d.id as string;
      return { nonce: n, interaction };
    };
    const customIds = (message: any): string[] => message.components.flatMap((r: any) => r.components.map((c: any) => c.custom_id ?? c.url));
    return { account, gw, rest, run, result, click, customIds };
  }
  const mention = (a: MidjourneyAccount) => `<@${a.user.id}>`;

  it('runs /imagine: start message with the nonce, progress edits with a preview, a new grid message, the progress message deleted', async () => {
    const { account, gw, run, result, customIds } = await setup();
    const { nonce: n, interaction, first } = await run('imagine', { options: { prompt: 'a red fox https://example.com/fox.png' } });
    const start = await first();
    expect(start).toMatchObject({ type: 20, author: { id: MIDJOURNEY_APPLICATION_ID }, interaction_metadata: { id: interaction, name: 'imagine' } });
    expect(start.content).toMatch(new RegExp(`^\\*\\*a red fox <https://s\\.mj\\.run/\\w+> --v 6\\.1\\*\\* - ${mention(account)} \\(Waiting to start\\)$`));
    const edit = (await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.id === start.id && /\(31%\) \(fast\)$/.test(p.d.content))).d;
    expect(edit.attachments[0].filename).toMatch(HASH);
    expect(customIds(edit)[0]).toMatch(/^MJ::CancelJob::ByJobid::/);
    const grid = await result(interaction);
    expect(grid.id).not.toBe(start.id);
    expect(grid.nonce).toBe(n); // the 2025 behaviour: the final carries the nonce too
    expect(grid.content).toMatch(new RegExp(`^\\*\\*a red fox <https://s\\.mj\\.run/\\w+> --v 6\\.1\\*\\* - ${mention(account)} \\[\\(Open on website for full quality\\)\\]\\(<https://midjourney\\.com/jobs/[-0-9a-f]+>\\) \\(fast\\)$`));
    const hash = HASH.exec(grid.attachments[0].filename)![0];
    expect(customIds(grid)).toEqual([
      ...[1, 2, 3, 4].map((i) => `MJ::JOB::upsample::${i}::${hash}`),
      ...[1, 2, 3, 4].map((i) => `MJ::JOB::variation::${i}::${hash}`),
      `MJ::JOB::reroll::0::${hash}::SOLO`,
    ]);
    const file = await download(grid.attachments[0].url);
    expect(isPng(file.bytes)).toBe(true);
    expect(pngSize(file.bytes)).toEqual({ width: 256, height: 256 });
    await gw.waitFor((p) => p.t === 'MESSAGE_DELETE' && p.d.id === start.id);
  });

  it('answers U1 with a reply to the grid carrying the upscale buttons, and V1 and 🔄 with new grids', async () => {
    const { account, gw, run, result, click, customIds } = await setup();
    const { interaction } = await run('imagine', { options: { prompt: 'lighthouse' } });
    const grid = await result(interaction);
    const hash = HASH.exec(grid.attachments[0].filename)![0];
    const u1 = await click(grid, `MJ::JOB::upsample::1::${hash}`);
    const image = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === u1.nonce)).d;
    expect(image).toMatchObject({ type: 19, message_reference: { message_id: grid.id }, content: `**lighthouse --v 6.1** - Image #1 ${mention(account)}` });
    const ids = customIds(image);
    expect(ids).toEqual(expect.arrayContaining([expect.stringMatching(/^MJ::JOB::upsample_v6r1_2x_subtle::1::/), expect.stringMatching(/^MJ::JOB::high_variation::1::/), expect.stringMatching(/^MJ::Inpaint::1::/), expect.stringMatching(/^MJ::Outpaint::50::1::/), expect.stringMatching(/^MJ::CustomZoom::/), expect.stringMatching(/^MJ::JOB::pan_left::1::/)]));
    const v1 = await click(grid, `MJ::JOB::variation::1::${hash}`);
    const variations = await result(v1.interaction);
    expect(variations).toMatchObject({ type: 19, message_reference: { message_id: grid.id } });
    expect(variations.content).toMatch(new RegExp(`- Variations by ${mention(account)} .*\\(fast\\)$`));
    const reroll = await click(grid, `MJ::JOB::reroll::0::${hash}::SOLO`);
    expect((await result(reroll.interaction)).content).toMatch(/^\*\*lighthouse --v 6\.1\*\* - <@\d+> /);
    const strong = await click(image, ids.find((id: string) => id.startsWith('MJ::JOB::high_variation'))!);
    expect((await result(strong.interaction)).content).toContain(`Variations (Strong) by ${mention(account)}`);
  });

  it('opens the remix modal when remix mode is on and runs the edited prompt', async () => {
    const { account, gw, rest, run, result, click } = await setup();
    sim.control.midjourney.setUser(account.user.id, { remix: true });
    const { interaction } = await run('imagine', { options: { prompt: 'castle' } });
    const grid = await result(interaction);
    const hash = HASH.exec(grid.attachments[0].filename)![0];
    const v2 = await click(grid, `MJ::JOB::variation::2::${hash}`);
    const modal = (await gw.waitFor((p) => p.t === 'INTERACTION_MODAL_CREATE' && p.d.nonce === v2.nonce)).d;
    expect(modal.custom_id).toBe(`MJ::RemixModal::${hash}::2::1`);
    expect(modal.components[0].components[0]).toMatchObject({ custom_id: 'MJ::RemixModal::new_prompt', value: 'castle --v 6.1' });
    const submit = nonce();
    expect((await rest.request('POST', '/interactions', {
      type: 5, nonce: submit, channel_id: account.channelId, application_id: MIDJOURNEY_APPLICATION_ID, session_id: gw.sessionId,
      data: { id: modal.id, custom_id: modal.custom_id, components: [{ type: 1, components: [{ type: 4, custom_id: 'MJ::RemixModal::new_prompt', value: 'castle at night' }] }] },
    })).status).toBe(204);
    const submitted = (await gw.waitFor((p) => p.t === 'INTERACTION_CREATE' && p.d.nonce === submit)).d.id;
    expect((await result(submitted)).content).toContain(`**castle at night --v 6.1** - Remix by ${mention(account)}`);
  });

  it('queues jobs over the concurrency limit with "Job queued" and still runs them', async () => {
    const { run, result, gw } = await setup();
    sim.control.midjourney.setConcurrency(1);
    sim.control.setBotLatency(40);
    const first = await run('imagine', { options: { prompt: 'one' } });
    await first.first();
    const second = await run('imagine', { options: { prompt: 'two' } });
    const queued = await second.first();
    expect(queued.embeds[0]).toMatchObject({ title: 'Job queued', color: 0xf7cb73, footer: { text: '/imagine two' } });
    await result(first.interaction);
    const later = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.interaction_metadata?.id === second.interaction && /Waiting to start/.test(p.d.content))).d;
    expect(later.nonce).toBeUndefined();
    expect((await result(second.interaction)).content).toMatch(/^\*\*two --v 6\.1\*\*/);
  });

  it('switches speed modes with /fast, /relax and /turbo and shows them in /info and the results', async () => {
    const { account, run, result } = await setup();
    const relax = await (await run('relax')).first();
    expect(relax).toMatchObject({ flags: 64, content: expect.stringMatching(/^Done! Your jobs now do not consume fast-hours/) });
    expect(sim.control.midjourney.getUser(account.user.id).mode).toBe('relaxed');
    const { interaction } = await run('imagine', { options: { prompt: 'slow boat' } });
    expect((await result(interaction)).content).toMatch(/\(relaxed\)$/);
    expect((await (await run('turbo')).first()).content).toMatch(/^Done! /);
    const info = await (await run('info')).first();
    expect(info.embeds[0].title).toBe(`Your info - ${account.user.username}`);
    expect(info.embeds[0].description).toMatch(/\*\*Job Mode\*\*: Turbo/);
    expect(info.embeds[0].description).toMatch(/\*\*Fast Time Remaining\*\*: [\d.]+\/15\.00 hours/);
    await (await run('fast')).first();
    expect(sim.control.midjourney.getUser(account.user.id).mode).toBe('fast');
  });

  it('blends 2–5 images and describes an image', async () => {
    const { run, result, gw } = await setup();
    const blend = await run('blend', { options: { dimensions: '--ar 2:3' }, files: { image1: ['a.png', png(1)], image2: ['b.png', png(2)] } });
    const blended = await result(blend.interaction);
    expect(blended.content).toMatch(/^\*\*<https:\/\/s\.mj\.run\/\w+> <https:\/\/s\.mj\.run\/\w+> --ar 2:3 --v 6\.1\*\* - /);
    const describe = await run('describe', { files: { image: ['c.png', png(3)] } });
    const card = (await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.nonce === describe.nonce && p.d.embeds.length > 0)).d;
    expect(card.embeds[0].description.split('\n\n')).toHaveLength(4);
    expect(card.embeds[0].image.url).toMatch(/attachments\//);
    expect(card.components[0].components.map((c: any) => c.custom_id)).toEqual([1, 2, 3, 4].map((n) => `MJ::Job::PicReader::${n}`));
  });

  it('refuses banned prompts with a red embed and doubtful ones with the ephemeral "Action needed to continue"', async () => {
    const { run } = await setup();
    sim.control.midjourney.setBannedWords(['gore']);
    sim.control.midjourney.setDoubtfulWords(['suspicious']);
    const banned = await (await run('imagine', { options: { prompt: 'so much gore' } })).first();
    expect(banned.embeds[0]).toMatchObject({ title: 'Banned prompt detected', color: 0xff0000 });
    const doubtful = await (await run('imagine', { options: { prompt: 'a suspicious scene' } })).first();
    expect(doubtful.flags & 64).toBe(64);
    expect(doubtful.embeds[0].title).toBe('Action needed to continue');
    expect(doubtful.components[0].components[0]).toMatchObject({ label: 'Appeal', custom_id: expect.stringMatching(/^MJ::Prompts::Appeal::/) });
  });

  it('blocks every command behind a pending moderation message until it is acknowledged, and opens the CAPTCHA modal', async () => {
    const { account, run, click, gw } = await setup();
    sim.control.midjourney.setUser(account.user.id, { pendingModeration: true });
    const notice = await (await run('imagine', { options: { prompt: 'anything' } })).first();
    expect(notice.embeds[0].title).toBe('Pending mod message');
    await click(notice, 'MJ::Pending::Acknowledge::1');
    await waitFor(() => !sim.control.midjourney.getUser(account.user.id).pendingModeration);
    sim.control.midjourney.setUser(account.user.id, { captcha: true });
    const { nonce: n } = await run('imagine', { options: { prompt: 'anything' } });
    const iframe = (await gw.waitFor((p: Dispatch) => p.t === 'INTERACTION_IFRAME_MODAL_CREATE' && p.d.nonce === n)).d;
    expect(iframe).toMatchObject({ title: 'Action required to continue', custom_id: expect.stringMatching(/^MJ::iframe::/) });
  });

  it('fails the next job with a red embed tied to the interaction, and stops a job on Cancel Job', async () => {
    const { run, gw, click } = await setup();
    sim.control.midjourney.failNextJobs(1, 'Invalid parameter');
    const failing = await run('imagine', { options: { prompt: 'x --foo' } });
    const error = (await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.interaction_metadata?.id === failing.interaction && p.d.embeds.length > 0)).d;
    expect(error.embeds[0]).toMatchObject({ title: 'Invalid parameter', color: 0xff0000 });
    sim.control.setBotLatency(40);
    const job = await run('imagine', { options: { prompt: 'to be stopped' } });
    const start = await job.first();
    const progress = (await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.id === start.id && p.d.components.length > 0)).d;
    await click(progress, progress.components[0].components[0].custom_id);
    await gw.waitFor((p) => p.t === 'MESSAGE_UPDATE' && p.d.id === start.id && /\(Stopped\)$/.test(p.d.content));
  });

  it('speaks the legacy wording and can leave the nonce off the final message', async () => {
    const { run, result, click } = await setup();
    sim.control.midjourney.setStyle({ wording: 'legacy', finalNonce: false });
    const { interaction } = await run('imagine', { options: { prompt: 'old times' } });
    const grid = await result(interaction);
    expect(grid.nonce).toBeUndefined();
    expect(grid.content).not.toContain('Open on website');
    const u2 = await click(grid, grid.components[0].components[1].custom_id);
    expect((await result(u2.interaction)).content).toMatch(/- Upscaled by <@\d+> \(fast\)$/);
  });

  it('exposes its knobs over the HTTP control API', async () => {
    const created = await (await fetch(`${sim.controlUrl}/midjourney/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
    expect(created).toMatchObject({ applicationId: MIDJOURNEY_APPLICATION_ID, channelId: expect.any(String) });
    const put = await fetch(`${sim.controlUrl}/midjourney/users/${created.user.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'turbo', remix: true }) });
    expect(await put.json()).toMatchObject({ mode: 'turbo', remix: true });
    const bad = await fetch(`${sim.controlUrl}/midjourney/users/${created.user.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'warp' }) });
    expect(bad.status).toBe(400);
    const commands = await (await fetch(`${sim.controlUrl}/bots/midjourney/commands`)).json();
    expect(commands.map((c: any) => c.name)).toEqual(['imagine', 'blend', 'describe', 'info', 'fast', 'relax', 'turbo']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
