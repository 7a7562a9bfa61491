/** Midjourney end to end: useapi's v2 API against the simulated Midjourney bot in DM channels. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../src/simulator/media/png.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const PENDING = 'Your Discord account has received a pending moderation message from Midjourney. Please address this issue and reset pendingModMessage before making any new API calls';

describe('midjourney end to end', () => {
  let h: Harness;
  let images: http.Server;
  let imageBase = '';

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    // Image URLs for blend and describe: a plain HTTP server with PNGs (private addresses are allowed in tests).
    images = http.createServer((req, res) => {
      const seed = Number(/\/(\d+)\.png$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (!Number.isFinite(seed)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/png' }).end(makePng(32, 32, seed));
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => images.close(resolve));
  });

  async function addAccount(maxJobs = 3) {
    const account = h.sim.control.midjourney.createAccount();
    const response = await h.call('POST', `/v2/account/midjourney/${account.channelId}`, { json: { discord: account.user.token, channel: account.channelId, maxJobs } });
    expect(response.status, await response.clone().text()).toBe(204);
    return { channel: account.channelId, userId: account.user.id, discord: account.user.token };
  }
  async function removeAccount(channel: string) {
    expect((await h.call('DELETE', `/v2/account/midjourney/${channel}`)).status).toBe(204);
  }
  const post = (command: string, json: unknown) => h.call('POST', `/v2/jobs/${command}`, { json });
  const get = async (jobid: string) => (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(jobid)}`)).json() as Promise<Record<string, any>>;
  async function waitForEnd(jobid: string): Promise<Record<string, any>> {
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await get(jobid);
      return ['completed', 'failed', 'moderated', 'cancelled'].includes(job.status);
    }, 20_000, `job ${jobid} to end`);
    return job;
  }
  async function imagine(prompt: string, extra: Record<string, unknown> = {}) {
    const response = await post('imagine', { prompt, ...extra });
    const started = await response.json();
    expect(response.status, JSON.stringify(started)).toBe(200);
    return started as Record<string, any>;
  }

  describe('with one account', () => {
    let account: Awaited<ReturnType<typeof addAccount>>;
    beforeAll(async () => {
      account = await addAccount(3);
    });
    afterAll(() => removeAccount(account.channel));

    it('imagines a grid: started, then completed with the image and U1–U4, V1–V4 and 🔄', async () => {
      const started = await imagine('a red fox --ar 3:2', { replyRef: 'r1' });
      expect(started).toMatchObject({ verb: 'imagine', status: expect.stringMatching(/started|progress/), prompt: 'a red fox --ar 3:2', channel: account.channel, maxJobs: 3, replyRef: 'r1' });
      const job = await waitForEnd(started.jobid);
      expect(job).toMatchObject({ status: 'completed', code: 200, mode: 'fast', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'] });
      expect(job.content).toMatch(/^\*\*a red fox --ar 3:2 --v 6\.1\*\* - <@\d+> .*\(fast\)$/);
      expect(job.attachments).toHaveLength(1);
      const png = Buffer.from(await (await fetch(job.attachments[0].url)).arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(job.midjourneyJobId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('U1 makes a child job with a single image; a second U1 on the same parent is refused; V1 and 🔄 make new grids', async () => {
      const parent = await waitForEnd((await imagine('lighthouse at dusk')).jobid);
      const u1 = await post('button', { jobid: parent.jobid, button: 'U1' });
      const child = await u1.json();
      expect(u1.status, JSON.stringify(child)).toBe(200);
      expect(child).toMatchObject({ verb: 'button', button: 'U1', parentJobId: parent.jobid });
      const image = await waitForEnd(child.jobid);
      expect(image).toMatchObject({ status: 'completed' });
      expect(image.content).toMatch(/ - Image #1 <@\d+>$/);
      expect(image.attachments).toHaveLength(1);
      expect(image.buttons).toEqual(expect.arrayContaining(['Upscale (Subtle)', 'Upscale (Creative)', 'Vary (Subtle)', 'Vary (Strong)', 'Vary (Region)', 'Zoom Out 2x', 'Zoom Out 1.5x', 'Custom Zoom', '⬅️', '➡️', '⬆️', '⬇️']));
      expect((await get(parent.jobid)).children).toEqual([{ button: 'U1', jobid: child.jobid, messageId: image.messageId }]);

      const again = await post('button', { jobid: parent.jobid, button: 'U1' });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: 'Upscale button already executed by jobid', button: 'U1', jobid: parent.jobid, code: 409 });

      for (const button of ['V1', '🔄']) {
        const response = await post('button', { jobid: parent.jobid, button });
        const started = await response.json();
        expect(response.status, JSON.stringify(started)).toBe(200);
        const grid = await waitForEnd(started.jobid);
        expect(grid).toMatchObject({ status: 'completed', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'] });
        expect(grid.messageId).not.toBe(parent.messageId);
      }
      const region = await post('button', { jobid: child.jobid, button: 'Vary (Region)' });
      expect(region.status).toBe(400);
      expect((await region.json()).error).toMatch(/not supported/);
    });

    it('blends 2–5 images from URLs and describes an image', async () => {
      const blend = await post('blend', { blendUrls: [`${imageBase}/1.png`, `${imageBase}/2.png`, `${imageBase}/3.png`], blendDimensions: 'Landscape' });
      const started = await blend.json();
      expect(blend.status, JSON.stringify(started)).toBe(200);
      expect(started).toMatchObject({ verb: 'blend', blendUrls: [`${imageBase}/1.png`, `${imageBase}/2.png`, `${imageBase}/3.png`], blendDimensions: 'Landscape' });
      const blended = await waitForEnd(started.jobid);
      expect(blended).toMatchObject({ status: 'completed', buttons: expect.arrayContaining(['U1', 'V4']) });
      expect(blended.content).toContain('--ar 3:2');

      const describe = await (await post('describe', { describeUrl: `${imageBase}/4.png` })).json();
      const described = await waitForEnd(describe.jobid);
      expect(described).toMatchObject({ verb: 'describe', status: 'completed', describeUrl: `${imageBase}/4.png` });
      expect(described.prompts).toHaveLength(4);
      expect(described.embeds[0].description).toContain('1️⃣');

      const unreachable = await post('blend', { blendUrls: [`${imageBase}/1.png`, `${imageBase}/missing`] });
      expect(unreachable.status).toBe(400);
      expect((await unreachable.json()).error).toMatch(/can not be retrieved/);
      expect((await post('blend', { blendUrls: [`${imageBase}/1.png`] })).status).toBe(400);
    });

    it('switches the account between relax and fast, which later results show', async () => {
      const relax = await post('relax', {});
      const done = await relax.json();
      expect(relax.status, JSON.stringify(done)).toBe(200);
      expect(done).toMatchObject({ verb: 'relax', status: 'completed' });
      expect(done.content).toMatch(/^Done! /);
      expect(h.sim.control.midjourney.getUser(account.userId).mode).toBe('relaxed');
      // The mode the bot confirmed is the account's, on the account and on the dashboard.
      const accountMode = async () => (await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).mode;
      expect(await accountMode()).toBe('relaxed');
      const dashboard = async () => (await (await h.call('GET', '/v1/dashboard/overview')).json()).bots.find((b: { name: string }) => b.name === 'midjourney').accounts.find((a: { channel: string }) => a.channel === account.channel);
      expect((await dashboard()).reported).toMatchObject({ fields: { mode: 'relaxed' }, at: expect.any(String) });
      expect(await waitForEnd((await imagine('slow boat')).jobid)).toMatchObject({ status: 'completed', mode: 'relaxed' });
      const info = await (await post('info', {})).json();
      expect(info).toMatchObject({ verb: 'info', status: 'completed' });
      expect(info.embeds[0].description).toMatch(/\*\*Job Mode\*\*: Relaxed/);
      // The card's fast hours become the account's (shown on the account and the dashboard).
      const shown = await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json();
      expect(shown.fastTimeRemaining).toMatchObject({ total: 15, hours: expect.any(Number) });
      expect(shown.fastTimeRemaining.hours).toBeLessThan(15);
      expect(shown.mode).toBe('relaxed');
      expect((await dashboard()).reported.fields).toEqual({ mode: 'relaxed', fastTimeRemaining: expect.stringMatching(/^[\d.]+\/15(\.0+)? hours/) });
      expect((await (await post('fast', {})).json()).status).toBe('completed');
      expect(h.sim.control.midjourney.getUser(account.userId).mode).toBe('fast');
      expect(await accountMode()).toBe('fast');
      expect((await dashboard()).reported.fields).toMatchObject({ mode: 'fast' });
    });

    it('ends a moderated prompt as moderated (422 with the job)', async () => {
      h.sim.control.midjourney.setBannedWords(['forbidden']);
      try {
        const response = await post('imagine', { prompt: 'something forbidden' });
        const job = await response.json();
        const ended = response.status === 200 ? await waitForEnd(job.jobid) : job;
        expect(ended).toMatchObject({ status: 'moderated', code: 422 });
        expect(ended.error).toMatch(/Banned prompt detected/);
      } finally {
        h.sim.control.midjourney.setBannedWords([]);
      }
    });
  });

  it('sends the account to a human on "Action needed to continue": 596 until reset, then it works again', async () => {
    const account = await addAccount(2);
    h.sim.control.midjourney.setDoubtfulWords(['doubtful']);
    try {
      const response = await post('imagine', { prompt: 'a doubtful scene', channel: account.channel });
      const job = await response.json();
      const ended = response.status === 200 ? await waitForEnd(job.jobid) : job;
      expect(ended).toMatchObject({ status: 'moderated' });
      expect(ended.error).toMatch(/Action needed to continue/);
      await waitUntil(async () => (await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).pendingModMessage !== undefined, 10_000, 'pendingModMessage');
      const refused = await post('imagine', { prompt: 'anything', channel: account.channel });
      expect(refused.status).toBe(596);
      expect(await refused.json()).toMatchObject({ error: PENDING, code: 596 });
      expect((await h.call('POST', `/v2/account/midjourney/${account.channel}/reset`)).status).toBe(204);
      expect((await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).pendingModMessage).toBeUndefined();
      expect(await waitForEnd((await imagine('a calm scene', { channel: account.channel })).jobid)).toMatchObject({ status: 'completed' });
    } finally {
      h.sim.control.midjourney.setDoubtfulWords([]);
      await removeAccount(account.channel);
    }
  });

  it('confirms Midjourney’s remix and Custom Zoom forms through the Discord client’s modal support', async () => {
    const account = await addAccount(2);
    h.sim.control.midjourney.setUser(account.userId, { remix: true });
    try {
      const grid = await waitForEnd((await imagine('a quiet harbour', { channel: account.channel })).jobid);
      const remix = await (await post('button', { jobid: grid.jobid, button: 'V2', prompt: 'a stormy harbour' })).json();
      const remixed = await waitForEnd(remix.jobid);
      expect(remixed).toMatchObject({ status: 'completed', buttons: expect.arrayContaining(['U1', 'V1']) });
      expect(remixed.content).toMatch(/^\*\*a stormy harbour --v 6\.1\*\* - Remix by <@\d+>/);
      // Without a prompt the form is confirmed with the prompt Midjourney prefilled.
      const kept = await waitForEnd((await (await post('button', { jobid: grid.jobid, button: '🔄' })).json()).jobid);
      expect(kept.content).toMatch(/^\*\*a quiet harbour --v 6\.1\*\* - <@\d+>/);
      const image = await waitForEnd((await (await post('button', { jobid: grid.jobid, button: 'U2' })).json()).jobid);
      const zoom = await (await post('button', { jobid: image.jobid, button: 'Custom Zoom', prompt: 'a harbour town --zoom 1.5' })).json();
      const zoomed = await waitForEnd(zoom.jobid);
      expect(zoomed).toMatchObject({ status: 'completed' });
      expect(zoomed.content).toMatch(/^\*\*a harbour town --zoom 1\.5 --v 6\.1\*\* - Zoom Out by <@\d+>/);
      expect((await post('button', { jobid: image.jobid, button: 'Custom Zoom' })).status).toBe(400);
    } finally {
      await removeAccount(account.channel);
    }
  });

  it('keeps tracking a job Midjourney queued ("Job queued") until it completes, instead of useapi’s 504', async () => {
    const account = await addAccount(3);
    h.sim.control.midjourney.setConcurrency(1);
    // A job takes ≥ 2 s here: two calls sent together meet Midjourney's limit of one.
    h.sim.control.setBotLatency(400);
    try {
      const [a, b] = await Promise.all([imagine('first in line', { channel: account.channel }), imagine('second in line', { channel: account.channel })]);
      const [first, second] = a.prompt === 'first in line' ? [a, b] : [b, a];
      await waitUntil(async () => (await get(first.jobid)).midjourneyQueued === true || (await get(second.jobid)).midjourneyQueued === true, 10_000, 'the queued notice');
      expect(h.sim.control.midjourney.getUser(account.userId).queuedJobs).toBe(1);
      expect(await waitForEnd(first.jobid)).toMatchObject({ status: 'completed' });
      const done = await waitForEnd(second.jobid);
      expect(done).toMatchObject({ status: 'completed', buttons: expect.arrayContaining(['U1']) });
      expect(done.midjourneyQueued).toBeUndefined();
      expect(done.content).toMatch(/^\*\*second in line --v 6\.1\*\*/);
      expect((await get(first.jobid)).content).toMatch(/^\*\*first in line --v 6\.1\*\*/);
    } finally {
      h.sim.control.midjourney.setConcurrency(3);
      h.sim.control.setBotLatency(5);
      await removeAccount(account.channel);
    }
  });

  it('runs the upscale buttons of a picked image and the describe suggestions', async () => {
    const account = await addAccount(2);
    try {
      const grid = await waitForEnd((await imagine('a windmill', { channel: account.channel })).jobid);
      const image = await waitForEnd((await (await post('button', { jobid: grid.jobid, button: 'U3' })).json()).jobid);
      const upscaled = await waitForEnd((await (await post('button', { jobid: image.jobid, button: 'Upscale (Subtle)' })).json()).jobid);
      expect(upscaled.content).toMatch(/ - Upscaled \(Subtle\) by <@\d+> \(fast\)$/);
      expect(upscaled.buttons).toEqual(expect.arrayContaining(['Redo Upscale (Subtle)', 'Vary (Strong)']));
      const panned = await waitForEnd((await (await post('button', { jobid: image.jobid, button: '⬅' })).json()).jobid);
      expect(panned.content).toMatch(/ - Pan Left by <@\d+> .*\(fast\)$/);
      const described = await waitForEnd((await (await post('describe', { describeUrl: `${imageBase}/9.png`, channel: account.channel })).json()).jobid);
      expect(described.buttons).toEqual(expect.arrayContaining(['1', '2', '3', '4']));
      const suggestion = await waitForEnd((await (await post('button', { jobid: described.jobid, button: '2' })).json()).jobid);
      expect(suggestion).toMatchObject({ status: 'completed', buttons: expect.arrayContaining(['U1', 'V4']) });
      expect(suggestion.content.startsWith(`**${described.prompts[1].replace(/^\S+\s/, '')}`)).toBe(true);
    } finally {
      await removeAccount(account.channel);
    }
  });

  it('fails the job and holds the account (596) when Midjourney opens its CAPTCHA', async () => {
    const account = await addAccount(2);
    h.sim.control.midjourney.setUser(account.userId, { captcha: true });
    try {
      const response = await post('imagine', { prompt: 'are you human', channel: account.channel });
      const job = await response.json();
      const ended = response.status === 200 ? await waitForEnd(job.jobid) : job;
      expect(ended).toMatchObject({ status: 'failed', code: 596 });
      expect(ended.error).toMatch(/Action required to continue/);
      await waitUntil(async () => (await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).pendingModMessage !== undefined, 10_000, 'pendingModMessage');
      expect((await post('info', { channel: account.channel })).status).toBe(596);
      expect((await h.call('POST', `/v2/account/midjourney/${account.channel}/reset`)).status).toBe(204);
      expect((await (await post('info', { channel: account.channel })).json()).status).toBe('completed');
    } finally {
      await removeAccount(account.channel);
    }
  });

  it('holds maxJobs per account under 20 concurrent imagines on two accounts, answering the rest 429 with executingJobs', async () => {
    const a = await addAccount(3);
    const b = await addAccount(3);
    // A job takes ≥ 1.5 s here, so the 20 calls meet busy slots; a slot freed during the burst may
    // take another call, so the invariant checked is the bot's own count of jobs running at once.
    h.sim.control.setBotLatency(300);
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post('imagine', { prompt: `crowd ${i}` })));
      const bodies = await Promise.all(responses.map((r) => r.json()));
      const accepted = bodies.filter((_, i) => responses[i]!.status === 200);
      const refused = bodies.filter((_, i) => responses[i]!.status === 429);
      expect(accepted.length + refused.length).toBe(20);
      expect(accepted.length).toBeGreaterThanOrEqual(6);
      expect(refused.length).toBeGreaterThan(0);
      for (const body of refused) {
        expect(body.error).toMatch(/^API query is full/);
        expect(body.executingJobs.length).toBeGreaterThan(0);
      }
      expect(new Set(accepted.map((j) => j.channel))).toEqual(new Set([a.channel, b.channel]));
      for (const job of accepted) expect(await waitForEnd(job.jobid)).toMatchObject({ status: 'completed' });
      for (const account of [a, b]) {
        const stats = h.sim.control.midjourney.getUser(account.userId);
        expect(stats.peakRunning).toBeLessThanOrEqual(3);
        expect(stats.queuedJobs).toBe(0);
      }
    } finally {
      h.sim.control.setBotLatency(5);
      await removeAccount(a.channel);
      await removeAccount(b.channel);
    }
  });

  it('delivers the webhook of a finished job once', async () => {
    const account = await addAccount(2);
    const receiver = new WebhookReceiver();
    await receiver.start();
    try {
      const started = await imagine('webhook fox', { replyUrl: receiver.url, channel: account.channel });
      await waitForEnd(started.jobid);
      // The outbox records the delivery as done: one row, one successful attempt, one request received.
      let log: any[] = [];
      await waitUntil(async () => {
        log = await (await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(started.jobid)}`)).json();
        return log.length > 0 && log.every((row) => row.status === 'delivered');
      }, 10_000, 'the webhook delivery');
      expect(log).toHaveLength(1);
      expect(log[0].deliveries).toHaveLength(1);
      const bodies = receiver.received.map((r) => JSON.parse(r.body));
      expect(bodies.filter((b) => b.jobid === started.jobid)).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ jobid: started.jobid, verb: 'imagine', status: 'completed' });

      // An account's own replyUrl is the default callback of calls that name none.
      const saved = await h.call('POST', `/v2/account/midjourney/${account.channel}`, { json: { discord: account.discord, channel: account.channel, maxJobs: 2, replyUrl: receiver.url } });
      expect(saved.status).toBe(204);
      expect((await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).replyUrl).toBe(receiver.url);
      const second = await imagine('default callback fox', { channel: account.channel });
      expect(second.replyUrl).toBe(receiver.url);
      await waitForEnd(second.jobid);
      await waitUntil(() => receiver.received.some((r) => JSON.parse(r.body).jobid === second.jobid), 10_000, 'the default webhook');
    } finally {
      await receiver.stop();
      await removeAccount(account.channel);
    }
  });

  it('answers useapi’s account texts and plain-text 404s', async () => {
    expect(await (await h.call('POST', '/v2/account/midjourney/1316232391072944131', { json: { discord: 'x', channel: '1316232391072944131', maxJobs: 16 } })).json()).toMatchObject({ error: "Required param maxJobs 16 can't be more that 15", code: 400 });
    const missing = await h.call('GET', '/v2/account/midjourney/1316232391072944131');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Configuration not found. To create configuration use account/midjourney/channel.');
    // Verified on save: the channel must be the DM with the Midjourney bot, whose /imagine is there.
    const pika = h.sim.control.createPikaAccount();
    const wrong = await h.call('POST', `/v2/account/midjourney/${pika.channelId}`, { json: { discord: pika.user.token, channel: pika.channelId, maxJobs: 1 } });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatch(/is not the DM channel with the Midjourney bot/);
    expect((await h.call('GET', '/v2/jobs/?jobid=nope')).status).toBe(404);
    expect(await (await h.call('GET', '/v2/jobs/cancel/')).json()).toMatchObject({ error: 'Query param jobid not provided', code: 400 });
  });
});
