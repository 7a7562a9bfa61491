/** Completed jobs' result files are kept and served by switchboard until their retention ends. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { RetentionSweeper } from '../../src/jobs/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

/** `results[].url` is absolute; the harness calls take a path. */
const pathOf = (url: string) => new URL(url).pathname;

describe('result retention', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    await h.addFaceswapAccount();
    await h.addPikaAccount(2);
  });
  afterAll(() => h.close());

  it('lists a stable authenticated copy of each result, with the same bytes as Discord’s CDN', async () => {
    const job = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2) }) })).json();
    expect(job.status).toBe('completed');
    expect(job.results).toEqual([{ filename: job.attachments[0].filename, content_type: 'image/png', size: job.attachments[0].size, url: `${h.url}/v1/results/${encodeURIComponent(job.jobid)}/0` }]);
    const copy = await h.call('GET', pathOf(job.results[0].url));
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-type')).toBe('image/png');
    const original = Buffer.from(await (await fetch(job.attachments[0].url)).arrayBuffer());
    expect(Buffer.from(await copy.arrayBuffer()).equals(original)).toBe(true);

    const { token: other } = await issueApiToken(h.services.store, 'someone-else');
    expect((await h.call('GET', pathOf(job.results[0].url), { token: other })).status).toBe(404);
    expect((await fetch(job.results[0].url)).status).toBe(401);
  });

  it('keeps Pika videos too', async () => {
    const started = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'keep me' }) })).json();
    let job: Record<string, any> = {};
    await waitUntil(async () => (job = await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(started.jobid)}`)).json()).status === 'completed');
    expect(job.results[0]).toMatchObject({ content_type: 'video/mp4' });
    const video = Buffer.from(await (await h.call('GET', pathOf(job.results[0].url))).arrayBuffer());
    expect(video.subarray(4, 8).toString()).toBe('ftyp');
  });

  it('drops copies past their retention period, and the job stops listing them', async () => {
    const job = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(3), target_image_gif_or_video: png(4) }) })).json();
    const sweeper = new RetentionSweeper(h.services.store, { resultDays: 7, jobDays: 45, now: () => Date.now() + 8 * 24 * 60 * 60_000 });
    expect((await sweeper.sweep()).files).toBeGreaterThanOrEqual(1);
    expect((await h.call('GET', pathOf(job.results[0].url))).status).toBe(404);
    const after = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(job.jobid)}`)).json();
    expect(after.results).toBeUndefined();
    expect(after.attachments).toHaveLength(1);
  });
});

describe('result retention under the tenant cap', () => {
  it('keeps results until the tenant holds SWITCHBOARD_MAX_RESULT_BYTES_PER_TENANT, then keeps only Discord’s links', async () => {
    const h = await startHarness({ simulator: { botLatencyMs: 5 }, env: { SWITCHBOARD_MAX_RESULT_BYTES_PER_TENANT: '1' } });
    try {
      await h.addFaceswapAccount();
      const swap = async (seed: number) => (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(seed), target_image_gif_or_video: png(seed + 1) }) })).json();
      // A file larger than what is left of the tenant's budget is not kept; the job still completes.
      const first = await swap(11);
      expect(first.status).toBe('completed');
      expect(first.results).toBeUndefined();
      expect(first.attachments).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
