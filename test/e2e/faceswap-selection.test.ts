/** Account selection, capacity and bad input for faceswap commands, against the simulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';

describe('faceswap selection and capacity', () => {
  let h: Harness;
  let accounts: Awaited<ReturnType<Harness['addFaceswapAccount']>>[];

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    accounts = [await h.addFaceswapAccount(), await h.addFaceswapAccount(), await h.addFaceswapAccount()];
  });
  afterAll(() => h.close());

  it('spreads 30 concurrent picsi calls over 3 accounts without two commands ever overlapping in a channel', async () => {
    h.sim.control.resetReport();
    const completed: Record<string, any>[] = [];
    // Each caller retries on 429 (all channels busy), as useapi clients are told to.
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        for (;;) {
          const response = await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(100 + i), target_image_gif_or_video: png(200 + i) }) });
          const body = await response.json();
          if (response.status === 429) {
            expect(body.executingJobs.length).toBeGreaterThan(0);
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          expect(response.status, JSON.stringify(body)).toBe(200);
          completed.push(body);
          return;
        }
      }),
    );
    expect(completed.every((j) => j.status === 'completed')).toBe(true);
    expect(new Set(completed.map((j) => j.channel))).toEqual(new Set(accounts.map((a) => a.channel)));
    const report = h.sim.control.report();
    expect(report.faceswapOverlaps).toEqual([]);
    expect(report.rateLimitViolations).toEqual([]);
    expect(report.duplicateNonces).toEqual([]);
    expect(report.interactions.filter((i) => i.name === 'picsi')).toHaveLength(30);
  });

  it('requires the channel for identity commands when several accounts exist', async () => {
    const response = await h.call('POST', '/v1/faceswap/listid', { form: form({}) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'Required param channel is missing or empty', code: 400 });
    const pinned = await h.call('POST', '/v1/faceswap/listid', { form: form({ channel: accounts[1]!.channel }) });
    expect(await pinned.json()).toMatchObject({ status: 'completed', channel: accounts[1]!.channel });
  });

  it('skips an account without credits and names the exhausted channel when asked for it', async () => {
    const [first, second, third] = accounts;
    for (const a of [first!, second!]) h.sim.control.setCredits(a.userId, { total: 50, used: 50 });
    // The bot reveals the exhaustion on the next command of each account.
    for (const a of [first!, second!]) {
      const spent = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ channel: a.channel, source_image: png(1), target_image_gif_or_video: png(2) }) })).json();
      expect(spent).toMatchObject({ status: 'failed' });
      expect(spent.error).toMatch(/out of credits/);
    }
    for (let i = 0; i < 4; i++) {
      const job = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(3), target_image_gif_or_video: png(4) }) })).json();
      expect(job).toMatchObject({ status: 'completed', channel: third!.channel });
    }
    const refused = await h.call('POST', '/v1/faceswap/picsi', { form: form({ channel: first!.channel, source_image: png(3), target_image_gif_or_video: png(4) }) });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toContain('no credits left');
  });

  it.each([
    ['a required file is missing', '/v1/faceswap/picsi', { source_image: png(1) }, 400, 'Required param target_image_gif_or_video is missing or empty'],
    ['a required text field is missing', '/v1/faceswap/saveid', { channel: '', image: png(1) }, 400, 'Required param idname is missing or empty'],
    ['a file is not an image', '/v1/faceswap/picsi', { source_image: new Blob(['hello'], { type: 'text/plain' }), target_image_gif_or_video: png(1) }, 400, 'Param source_image must be an image (png, jpeg, gif or webp)'],
    ['a file is given as text', '/v1/faceswap/picsi', { source_image: 'not a file', target_image_gif_or_video: png(1) }, 400, 'Param source_image must be a file (multipart/form-data file part)'],
    ['replyUrl is too long', '/v1/faceswap/picsi', { source_image: png(1), target_image_gif_or_video: png(1), replyUrl: `https://example.com/${'x'.repeat(1100)}` }, 400, 'replyUrl is too long (1120 characters, at most 1024)'],
    ['replyRef is too long', '/v1/faceswap/picsi', { source_image: png(1), target_image_gif_or_video: png(1), replyRef: 'r'.repeat(1025) }, 400, 'replyRef is too long (1025 characters, at most 1024)'],
    ['replyUrl is not a URL', '/v1/faceswap/picsi', { source_image: png(1), target_image_gif_or_video: png(1), replyUrl: 'nope' }, 400, 'replyUrl (nope) is not a valid URL'],
    ['the channel is not configured', '/v1/faceswap/picsi', { channel: '1999999999999999999', source_image: png(1), target_image_gif_or_video: png(1) }, 404, 'Channel 1999999999999999999 is not configured. To create configuration use faceswap/account/1999999999999999999.'],
    ['an idname is not alphanumeric', '/v1/faceswap/saveid', { channel: '', idname: 'no spaces!', image: png(1) }, 400, 'Param idname (no spaces!) must be 1 to 10 letters or digits'],
    ['targetMessageId is not a snowflake', '/v1/faceswap/inswapper', { targetMessageId: 'abc' }, 400, 'Required param targetMessageId (abc) is not valid Discord message id'],
  ])('answers %s with a clear 4xx', async (_case, path, fields, status, error) => {
    const response = await h.call('POST', path, { form: form(fields as Record<string, string | Blob>) });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error, code: status });
  });

  it('answers 413 for an upload above the per-file limit', async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 10);
    big.set([0x89, 0x50, 0x4e, 0x47]); // a PNG signature, so only the size is wrong
    const response = await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: new Blob([big], { type: 'image/png' }), target_image_gif_or_video: png(1) }) });
    expect(response.status).toBe(413);
    expect((await response.json()).code).toBe(413);
  });

  it('answers unknown and missing job ids as useapi does', async () => {
    const missing = await h.call('GET', '/v1/faceswap/jobs/?jobid=');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'Query param jobid not provided', code: 400 });
    const unknown = await h.call('GET', '/v1/faceswap/jobs/?jobid=job:nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'Unable to locate job job:nope', code: 404 });
    const cancelUnknown = await h.call('GET', '/v1/faceswap/jobs/cancel/?jobid=job:nope');
    expect(cancelUnknown.status).toBe(404);
  });

  it("never shows one tenant's jobs to another", async () => {
    const job = await (await h.call('POST', '/v1/faceswap/listid', { form: form({ channel: accounts[2]!.channel }) })).json();
    const { token: other } = await import('../../src/auth/index.ts').then((m) => m.issueApiToken(h.services.store, 'other-tenant'));
    const peek = await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(job.jobid)}`, { token: other });
    expect(peek.status).toBe(404);
    const cancel = await h.call('GET', `/v1/faceswap/jobs/cancel/?jobid=${encodeURIComponent(job.jobid)}`, { token: other });
    expect(cancel.status).toBe(404);
    expect(await (await h.call('GET', '/v1/faceswap/jobs', { token: other })).json()).toEqual([]);
    const noAccounts = await h.call('POST', '/v1/faceswap/picsi', { token: other, form: form({ source_image: png(1), target_image_gif_or_video: png(1) }) });
    expect(noAccounts.status).toBe(404);
  });
});
