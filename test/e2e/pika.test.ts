/** Pika end to end against the simulated Pika bot in DM channels. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskToken } from '../../src/jobs/index.ts';
import { sampleMp4 } from '../../src/simulator/media/mp4.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';

describe('pika end to end', () => {
  let h: Harness;
  let account: Awaited<ReturnType<Harness['addPikaAccount']>>;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    account = await h.addPikaAccount(3);
  });
  afterAll(() => h.close());

  it('creates a video: the call answers started, polling ends completed with a downloadable MP4 and a retry button', async () => {
    const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'smiling and blinking -motion 2', replyRef: 'r1' }) });
    const started = await response.json();
    expect(response.status, JSON.stringify(started)).toBe(200);
    expect(started).toMatchObject({ verb: 'pika-create', status: expect.stringMatching(/started|progress/), prompt: 'smiling and blinking -motion 2', channel: account.channel, maxJobs: 3, replyRef: 'r1' });
    const job = await h.waitForEnd('pika', started.jobid);
    expect(job).toMatchObject({ status: 'completed', buttons: ['retry'], code: 200 });
    expect(job.content).toMatch(/Prompt: smiling and blinking/);
    expect(job.attachments[0]).toMatchObject({ content_type: 'video/mp4' });
    expect(job.attachments[0].filename).toMatch(/^smiling_and_blinking.*_seed\d+\.mp4$/);
    const video = Buffer.from(await (await fetch(job.attachments[0].url)).arrayBuffer());
    expect(video.subarray(4, 8).toString()).toBe('ftyp');
  });

  it('animates an image and echoes its metadata', async () => {
    const image = png(21);
    const started = await (await h.call('POST', '/v1/pika/animate', { form: form({ image }) })).json();
    expect(started).toMatchObject({ verb: 'pika-animate', image: { size: image.size, type: 'image/png' } });
    expect(await h.waitForEnd('pika', started.jobid)).toMatchObject({ status: 'completed' });
  });

  it('hides a text and an image in videos', async () => {
    const text = await (await h.call('POST', '/v1/pika/encrypt_text', { form: form({ message: 'Hello', prompt: 'people running around a horse', font: 'bauhaus' }) })).json();
    expect(text).toMatchObject({ verb: 'pika-encrypt_text', message: 'Hello', font: 'BAUHAUS' });
    const textDone = await h.waitForEnd('pika', text.jobid);
    expect(textDone.content).toContain('Message: Hello (Font: BAUHAUS)');
    const hidden = await (await h.call('POST', '/v1/pika/encrypt_image', { form: form({ message: png(22), prompt: 'a city at night' }) })).json();
    expect(hidden).toMatchObject({ verb: 'pika-encrypt_image', message: { type: 'image/png' } });
    expect(await h.waitForEnd('pika', hidden.jobid)).toMatchObject({ status: 'completed' });
  });

  it('presses retry on a finished job, which runs as a new job (reading the message as a user may: around=, never the bot-only single-message route)', async () => {
    const first = await h.waitForEnd('pika', (await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a red fox' }) })).json()).jobid);
    const retry = await h.call('POST', '/v1/pika/button', { form: form({ jobid: first.jobid, button: 'retry' }) });
    const started = await retry.json();
    expect(retry.status, JSON.stringify(started)).toBe(200);
    expect(started).toMatchObject({ verb: 'pika-button', parentJobId: first.jobid, button: 'retry', prompt: 'a red fox' });
    expect(started.jobid).not.toBe(first.jobid);
    const done = await h.waitForEnd('pika', started.jobid);
    expect(done).toMatchObject({ status: 'completed', buttons: ['retry'] });
    expect(done.messageId).not.toBe(first.messageId);
    expect(done.attachments[0].content_type).toBe('video/mp4');
    // The simulator answers the single-message route with 403 code 20002, as Discord does for users.
    const requests = h.sim.control.report().requests;
    expect(requests['GET /channels/:channelId/messages/:messageId']).toBeUndefined();
    expect(requests['GET /channels/:channelId/messages']).toBeGreaterThan(0);
  });

  it('refuses buttons the job does not have, and jobs that do not exist', async () => {
    const first = await h.waitForEnd('pika', (await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a blue bird' }) })).json()).jobid);
    const remix = await h.call('POST', '/v1/pika/button', { form: form({ jobid: first.jobid, button: 'remix' }) });
    expect(remix.status).toBe(400);
    expect((await remix.json()).error).toBe("Button remix is not one of the job's buttons (retry)");
    const unknown = await h.call('POST', '/v1/pika/button', { form: form({ jobid: 'job:missing', button: 'retry' }) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Unable to locate job job:missing', code: 404 });
  });

  it('ends a moderated prompt as moderated', async () => {
    h.sim.control.setBannedWords(['forbidden']);
    const started = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'something forbidden' }) })).json();
    const job = started.status === 'moderated' ? started : await h.waitForEnd('pika', started.jobid);
    expect(job).toMatchObject({ status: 'moderated', code: 422 });
    expect(job.error).toMatch(/flagged/);
    h.sim.control.setBannedWords([]);
  });

  it('lists executing jobs and cancels one', async () => {
    h.sim.control.setBotLatency(100);
    try {
      const started = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a slow sunrise' }) })).json();
      expect(await (await h.call('GET', '/v1/pika/jobs')).json()).toContain(started.jobid);
      const cancelled = await (await h.call('GET', `/v1/pika/jobs/cancel/?jobid=${encodeURIComponent(started.jobid)}`)).json();
      expect(cancelled).toEqual({ jobid: started.jobid, status: 'cancelled', code: 200 });
      expect((await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(started.jobid)}`)).json()).status).toBe('cancelled');
    } finally {
      h.sim.control.setBotLatency(5);
    }
  });

  it('accepts a bring-your-own discord and channel without a configured account', async () => {
    const own = await h.addPikaAccount(2, false);
    const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'my own account', discord: own.discord, channel: own.channel, maxJobs: '2' }) });
    const started = await response.json();
    expect(response.status, JSON.stringify(started)).toBe(200);
    expect(started).toMatchObject({ channel: own.channel, maxJobs: 2 });
    expect(await h.waitForEnd('pika', started.jobid)).toMatchObject({ status: 'completed' });
    // Still not configuration: the account API does not list it.
    expect(Object.keys(await (await h.call('GET', '/v1/pika/account')).json())).toEqual([account.channel]);
  });

  it('runs a bring-your-own call with exactly the token it brought, never one an earlier call left stored', async () => {
    const own = await h.addPikaAccount(2, false);
    const stranger = await h.addPikaAccount(2, false);
    const inChannel = () => h.sim.control.report().interactions.filter((i) => i.channelId === own.channel);
    const first = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'first token', discord: own.discord, channel: own.channel }) })).json();
    expect(await h.waitForEnd('pika', first.jobid)).toMatchObject({ status: 'completed' });
    expect(inChannel().map((i) => i.userId)).toEqual([own.userId]);

    // The same channel with another user's token: the call runs as that user, who cannot use
    // this DM, so it fails — it never runs with the token the first call stored.
    const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'second token', discord: stranger.discord, channel: own.channel }) });
    const second = await response.json();
    expect(second.jobid, JSON.stringify(second)).toBeDefined();
    const ended = await h.waitForEnd('pika', second.jobid);
    expect(ended).toMatchObject({ status: 'failed', discord: maskToken(stranger.discord) });
    expect(inChannel().map((i) => i.userId)).toEqual([own.userId]);

    // Back with the first token: it runs with it again, from a fresh health.
    const third = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'first token again', discord: own.discord, channel: own.channel }) })).json();
    expect(await h.waitForEnd('pika', third.jobid)).toMatchObject({ status: 'completed', discord: maskToken(own.discord) });
    expect(inChannel().map((i) => i.userId)).toEqual([own.userId, own.userId]);
  });

  it.each([
    ['prompt is missing', '/v1/pika/create', {}, 'Required param prompt is missing or empty'],
    ['prompt is over 1500 characters', '/v1/pika/create', { prompt: 'p'.repeat(1501) }, 'prompt is too long (1501 characters, at most 1500)'],
    ['message is over 20 characters', '/v1/pika/encrypt_text', { prompt: 'x', message: 'm'.repeat(21) }, 'message is too long (21 characters, at most 20)'],
    ['the font is unknown', '/v1/pika/encrypt_text', { prompt: 'x', message: 'hi', font: 'Comic Sans' }, 'Param font (Comic Sans) must be one of MODERN, COMICS, SANS SERIF, BAUHAUS, RETRO'],
    ['maxJobs is above 10', '/v1/pika/create', { prompt: 'x', maxJobs: '11' }, "Required param maxJobs 11 can't be more that 10"],
    ['animate has no image', '/v1/pika/animate', { prompt: 'x' }, 'Required param image is missing or empty'],
    ['discord comes without channel', '/v1/pika/create', { prompt: 'x', discord: 'some-token-value' }, 'Required param channel is missing or empty'],
    ['an MP4 is given where an image belongs', '/v1/pika/animate', { image: new Blob([sampleMp4()], { type: 'video/mp4' }) }, 'Param image must be an image (png, jpeg, gif or webp)'],
  ])('answers 400 when %s', async (_case, path, fields, error) => {
    const response = await h.call('POST', path, { form: form(fields as Record<string, string | Blob>) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error, code: 400 });
  });
});

describe('pika capacity', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 20 } });
  });
  afterAll(() => h.close());

  it('never runs more than maxJobs at once on an account, answering 429 with executingJobs beyond it', async () => {
    const account = await h.addPikaAccount(2);
    h.sim.control.resetReport();
    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => h.call('POST', '/v1/pika/create', { form: form({ prompt: `job ${i}` }) })));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    const accepted = bodies.filter((_, i) => responses[i]!.status === 200);
    const refused = bodies.filter((_, i) => responses[i]!.status === 429);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect([...r.executingJobs].sort()).toEqual(accepted.map((a) => a.jobid).sort());
    for (const a of accepted) expect(await h.waitForEnd('pika', a.jobid)).toMatchObject({ status: 'completed', channel: account.channel });
  });

  it('keeps under maxJobs under sustained load: the bot, limited to 2 generations, never refuses one', async () => {
    await h.addPikaAccount(2);
    h.sim.control.setPikaConcurrency(2);
    const ended = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        for (;;) {
          const response = await h.call('POST', '/v1/pika/create', { form: form({ prompt: `load ${i}`, channel: '' }) });
          if (response.status === 429) {
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          return h.waitForEnd('pika', (await response.json()).jobid);
        }
      }),
    );
    expect(ended.map((j) => j.status)).toEqual(Array(10).fill('completed'));
  });
});

describe('pika queueing', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 20 }, env: { SWITCHBOARD_QUEUE_LIMIT: '3' } });
  });
  afterAll(() => h.close());

  it('queues FIFO beyond maxJobs, says how many are ahead, bounds the queue, and runs everything', async () => {
    await h.addPikaAccount(2);
    // Slow generations while submitting, so the first two are still running when the rest arrive.
    h.sim.control.setBotLatency(300);
    const responses = [];
    for (let i = 0; i < 6; i++) responses.push(await h.call('POST', '/v1/pika/create', { form: form({ prompt: `queued job ${i}` }) }));
    h.sim.control.setBotLatency(20);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(bodies.slice(2, 5).map((b) => [b.status, b.jobsAhead])).toEqual([
      ['created', 0],
      ['created', 1],
      ['created', 2],
    ]);
    expect(bodies[5].error).toBe('Every slot and every queue place is taken; retry later');
    const ended = [];
    for (const body of bodies.slice(0, 5)) ended.push(await h.waitForEnd('pika', body.jobid));
    expect(ended.every((j) => j.status === 'completed')).toBe(true);
    // FIFO: queued jobs started in the order they were accepted.
    const startOrder = [...ended.slice(2)].sort((a, b) => Date.parse(a.updated) - Date.parse(b.updated)).map((j) => j.jobid);
    expect(startOrder).toEqual(bodies.slice(2, 5).map((b) => b.jobid));
  });
});
