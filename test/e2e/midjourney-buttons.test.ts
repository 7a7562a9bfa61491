/**
 * The result buttons the simulated Midjourney bot carries (midjourney.md C.4, C.7) that other
 * suites do not press: Vary (Subtle/Strong), Zoom Out 2x/1.5x, the other pans, Upscale
 * (Creative) and the Redo Upscale buttons, each pressed through `POST /v2/jobs/button` by its
 * useapi name and read back from the bot's new message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

const GRID = ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'];

describe('midjourney result buttons', () => {
  let h: Harness;
  let channel = '';
  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    const account = h.sim.control.midjourney.createAccount();
    channel = account.channelId;
    expect((await h.call('POST', `/v2/account/midjourney/${channel}`, { json: { discord: account.user.token, channel, maxJobs: 3 } })).status).toBe(204);
  });
  afterAll(() => h?.close());

  const get = async (jobid: string) => (await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(jobid)}`)).json()) as Record<string, any>;
  async function run(path: string, json: Record<string, unknown>): Promise<Record<string, any>> {
    const response = await h.call('POST', `/v2/jobs/${path}`, { json: { channel, ...json } });
    const started = (await response.json()) as Record<string, any>;
    expect(response.status, JSON.stringify(started)).toBe(200);
    let job: Record<string, any> = {};
    await waitUntil(async () => ['completed', 'failed', 'moderated', 'cancelled'].includes((job = await get(started.jobid)).status), 30_000, `${String(json.button ?? path)} to end`);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'completed' });
    return job;
  }

  it('presses every button of an upscaled image: variations, zooms and pans make grids, upscales one image', async () => {
    const grid = await run('imagine', { prompt: 'a lighthouse on a cliff' });
    const image = await run('button', { jobid: grid.jobid, button: 'U4' });
    expect(image.content).toMatch(/ - Image #4 <@\d+>$/);

    const grids: [button: string, label: string][] = [
      ['Vary (Subtle)', 'Variations \\(Subtle\\) by'],
      ['Vary (Strong)', 'Variations \\(Strong\\) by'],
      ['Zoom Out 2x', 'Zoom Out by'],
      ['Zoom Out 1.5x', 'Zoom Out by'],
      ['➡️', 'Pan Right by'],
      ['⬆️', 'Pan Up by'],
      ['⬇', 'Pan Down by'], // without the variation selector, as some clients send it
    ];
    for (const [button, label] of grids) {
      const made = await run('button', { jobid: image.jobid, button });
      expect(made, button).toMatchObject({ buttons: GRID, parentJobId: image.jobid });
      expect(made.content, button).toMatch(new RegExp(`^\\*\\*a lighthouse on a cliff --v 6\\.1\\*\\* - ${label} <@\\d+> .*\\(fast\\)$`));
      expect(made.attachments, button).toHaveLength(1);
    }

    const creative = await run('button', { jobid: image.jobid, button: 'Upscale (Creative)' });
    expect(creative.content).toMatch(/ - Upscaled \(Creative\) by <@\d+> \(fast\)$/);
    expect(creative.buttons).toEqual(expect.arrayContaining(['Redo Upscale (Subtle)', 'Redo Upscale (Creative)', 'Vary (Subtle)', 'Zoom Out 2x', '⬅️']));
    for (const [button, variant] of [['Redo Upscale (Subtle)', 'Subtle'], ['Redo Upscale (Creative)', 'Creative']] as const) {
      const redone = await run('button', { jobid: creative.jobid, button });
      expect(redone.content, button).toMatch(new RegExp(` - Upscaled \\(${variant}\\) by <@\\d+> \\(fast\\)$`));
    }
    // Upscales (unlike U1–U4) may run again on the same image.
    expect((await run('button', { jobid: image.jobid, button: 'Upscale (Creative)' })).status).toBe('completed');

    const children = (await get(image.jobid)).children.map((c: { button: string }) => c.button);
    expect(children).toEqual(['Vary (Subtle)', 'Vary (Strong)', 'Zoom Out 2x', 'Zoom Out 1.5x', '➡️', '⬆️', '⬇️', 'Upscale (Creative)', 'Upscale (Creative)']);
  });
});
