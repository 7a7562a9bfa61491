/** InsightFaceSwap end to end: HTTP → switchboard → simulated Discord and bot → job JSON. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('faceswap end to end', () => {
  let h: Harness;
  let account: Awaited<ReturnType<Harness['addFaceswapAccount']>>;

  beforeAll(async () => {
    h = await startHarness();
    account = await h.addFaceswapAccount();
  });
  afterAll(() => h.close());

  it('saves an identity, lists it, and swaps it onto an image whose result downloads as a PNG', async () => {
    const saved = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'alice', image: png(3) }) });
    const savedJob = await saved.json();
    expect(saved.status, JSON.stringify(savedJob)).toBe(200);
    expect(savedJob).toMatchObject({ verb: 'faceswap-saveid', status: 'completed', idname: 'alice', channel: account.channel, server: account.server, code: 200 });
    expect(savedJob.content).toContain('alice');
    expect(savedJob.discord).toMatch(/^<.{3}…secured….{3}>$/);
    expect(savedJob.jobid).toMatch(/^job:\d{17}-user:[0-9a-f]+-channel:\d+-bot:faceswap$/);

    const listed = await (await h.call('POST', '/v1/faceswap/listid', { form: form({}) })).json();
    expect(listed).toMatchObject({ verb: 'faceswap-listid', status: 'completed' });
    expect(listed.content).toContain('alice');

    const swapped = await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(4), replyRef: 'my-ref' }) });
    const job = await swapped.json();
    expect(swapped.status, JSON.stringify(job)).toBe(200);
    expect(job).toMatchObject({ verb: 'faceswap-swapid', status: 'completed', replyRef: 'my-ref' });
    expect(job.attachments[0]).toMatchObject({ content_type: 'image/png' });
    const download = await fetch(job.attachments[0].url);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');

    const polled = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(job.jobid)}`)).json();
    expect(polled).toEqual(job);
  });

  const run = async (method: string, path: string, fields: Record<string, string | Blob> = {}) => {
    const response = await h.call(method, path, { form: form(fields) });
    return { status: response.status, job: await response.json() };
  };

  it('sets default ids, deletes one id and then all of them', async () => {
    await run('POST', '/v1/faceswap/saveid', { idname: 'bob', image: png(5) });
    await run('POST', '/v1/faceswap/saveid', { idname: 'carol', image: png(6) });
    const set = await run('POST', '/v1/faceswap/setid', { idname: 'bob,carol' });
    expect(set.job).toMatchObject({ verb: 'faceswap-setid', status: 'completed' });
    expect(set.job.content).toContain('bob,carol');
    const deleted = await run('DELETE', '/v1/faceswap/delid', { idname: 'bob' });
    expect(deleted.job).toMatchObject({ verb: 'faceswap-delid', status: 'completed' });
    const all = await run('DELETE', '/v1/faceswap/delall');
    expect(all.job).toMatchObject({ verb: 'faceswap-delall', status: 'completed' });
    const listed = await run('POST', '/v1/faceswap/listid');
    expect(listed.job.content).not.toContain('carol');
  });

  it('runs the deprecated swap as saveid followed by swapid', async () => {
    const { status, job } = await run('POST', '/v1/faceswap/swap', { saveid_image: png(7), swapid_image: png(8) });
    expect(status, JSON.stringify(job)).toBe(200);
    expect(job).toMatchObject({ verb: 'faceswap-swap', status: 'completed', saveid_idname: 'id', swapid_idname: 'id' });
    expect(job.attachments[0].content_type).toBe('image/png');
  });

  it('runs picsi on an image and INSwapper on the resulting message', async () => {
    await run('POST', '/v1/faceswap/saveid', { idname: 'dave', image: png(9) });
    const picsi = await run('POST', '/v1/faceswap/picsi', { source_image: png(10), target_image_gif_or_video: png(11), options: '-f' });
    expect(picsi.job).toMatchObject({ verb: 'faceswap-picsi', status: 'completed', options: '-f' });
    const swapped = await run('POST', '/v1/faceswap/inswapper', { targetMessageId: picsi.job.messageId });
    expect(swapped.status, JSON.stringify(swapped.job)).toBe(200);
    expect(swapped.job).toMatchObject({ verb: 'faceswap-inswapper', status: 'completed', targetMessageId: picsi.job.messageId });
    expect(swapped.job.attachments).toHaveLength(1);
  });

  it('answers headshot (JSON body) and changebg as started, then completes them by polling', async () => {
    await run('POST', '/v1/faceswap/saveid', { idname: 'erin', image: png(12) });
    const headshot = await h.call('POST', '/v1/faceswap/headshot', { json: { prompt: 'me, a mad king --square' } });
    const started = await headshot.json();
    expect(headshot.status, JSON.stringify(started)).toBe(200);
    expect(started).toMatchObject({ verb: 'faceswap-headshot', status: 'started', prompt: 'me, a mad king --square' });
    expect(started.content).toMatch(/Headshot Job Submitted \[jobid: [0-9a-f]{32}\]/);
    const done = await h.waitForEnd('faceswap', started.jobid);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.attachments[0].content_type).toBe('image/png');

    const changebg = await run('POST', '/v1/faceswap/changebg', { a_background_photo_of: 'a beach at dusk', image: png(13) });
    expect(changebg.job).toMatchObject({ verb: 'faceswap-changebg', status: 'started', prompt: 'a beach at dusk' });
    expect(await h.waitForEnd('faceswap', changebg.job.jobid)).toMatchObject({ status: 'completed' });
  });

  it('shows the credits the bot printed: the sum of its per-job costs, and no invented total', async () => {
    const accounts = await (await h.call('GET', '/v1/faceswap/account')).json();
    const credits = accounts[account.channel].credits;
    expect(credits).not.toHaveProperty('total');
    expect(credits.used).toBeGreaterThan(0);
    expect(credits.used).toBe(h.sim.control.getCredits(account.userId).used);
    expect(credits.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('fails a job with the bot’s message when the bot reports an error', async () => {
    h.sim.control.failNextFaceswapJobs(1, 'noFace');
    const { status, job } = await run('POST', '/v1/faceswap/picsi', { source_image: png(14), target_image_gif_or_video: png(15) });
    expect(status).toBe(422);
    expect(job).toMatchObject({ status: 'failed', code: 422 });
    expect(job.error).toMatch(/no face/i);
  });

  it('lists executing jobs and cancels a started one, keeping the channel until the bot is done', async () => {
    h.sim.control.setBotLatency(150);
    try {
      const started = (await run('POST', '/v1/faceswap/changebg', { a_background_photo_of: 'snow', image: png(16) })).job;
      expect(started.status).toBe('started');
      expect(await (await h.call('GET', '/v1/faceswap/jobs')).json()).toContain(started.jobid);
      const cancelled = await h.call('GET', `/v1/faceswap/jobs/cancel/?jobid=${encodeURIComponent(started.jobid)}`);
      expect(await cancelled.json()).toEqual({ jobid: started.jobid, status: 'cancelled', code: 200 });
      expect(await (await h.call('GET', '/v1/faceswap/jobs')).json()).not.toContain(started.jobid);
      // The bot is still working on it: the channel stays taken until its result has arrived.
      const busy = await h.call('POST', '/v1/faceswap/listid', { form: form({}) });
      expect(busy.status).toBe(429);
      expect((await busy.json()).executingJobs).toEqual([started.jobid]);
      await waitForFreeChannel(h);
      const again = await h.call('GET', `/v1/faceswap/jobs/cancel/?jobid=${encodeURIComponent(started.jobid)}`);
      expect(again.status).toBe(409);
    } finally {
      h.sim.control.setBotLatency(0);
    }
    expect(h.sim.control.report().faceswapOverlaps).toEqual([]);
  });
});

async function waitForFreeChannel(h: Harness): Promise<void> {
  await waitUntil(async () => (await h.call('POST', '/v1/faceswap/listid', { form: form({}) })).status === 200, 10_000, 'the channel becoming free');
}
