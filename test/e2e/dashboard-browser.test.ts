/**
 * The dashboard in a real browser (issue 8, "Done when"): Debian's headless Chromium driven by
 * playwright-core signs in, sees the demo accounts, and watches a job started through the API reach
 * `completed` without a reload. A screenshot lands in test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { form, png, startHarness, type Harness } from '../support/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
const available = fs.existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is required under CI (.ci/run installs it)`);
  console.warn(`[tests] skipping the dashboard browser test: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

describe.runIf(available)('the dashboard in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let faceswap: { channel: string };
  let pikaChannel: string;
  let midjourneyChannel: string;
  const problems: string[] = [];

  beforeAll(async () => {
    // Some bot latency, so a job is visibly running for a moment before it completes.
    const [harness, launched] = await Promise.all([
      startHarness({ simulator: { botLatencyMs: 250 } }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    h = harness;
    browser = launched;
    faceswap = await h.addFaceswapAccount();
    const pika = h.sim.control.createPikaAccount();
    pikaChannel = pika.channelId;
    const saved = await h.call('POST', `/v1/pika/account/${pika.channelId}`, { json: { discord: pika.user.token, channel: pika.channelId, maxJobs: 3 } });
    expect(saved.status).toBe(204);
    // A Midjourney account switched to relax mode: the dashboard shows what the bot confirmed.
    const midjourney = h.sim.control.midjourney.createAccount();
    midjourneyChannel = midjourney.channelId;
    expect((await h.call('POST', '/v2/account/midjourney', { json: { discord: midjourney.user.token } })).status).toBe(201);
    expect((await h.call('POST', '/v2/jobs/relax', { json: {} })).status).toBe(200);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      // The refused sign-in (401) is expected.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with a token, shows the accounts, and follows a job started through the API to completed', async () => {
    await page.goto(`${h.url}/dashboard`);
    await page.getByLabel('API token').fill('sb_wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-sign-in.png') });

    await page.getByLabel('API token').fill(h.token);
    await page.getByLabel('API token').press('Enter');
    const faceswapTable = page.getByRole('table', { name: 'faceswap' });
    const pikaTable = page.getByRole('table', { name: 'pika' });
    await faceswapTable.getByRole('row').filter({ hasText: faceswap.channel }).filter({ hasText: 'active' }).waitFor();
    await pikaTable.getByRole('row').filter({ hasText: pikaChannel }).filter({ hasText: '0 / 3 in use' }).waitFor();
    await page.getByRole('table', { name: 'midjourney' }).getByRole('row').filter({ hasText: midjourneyChannel }).filter({ hasText: 'mode: relaxed' }).waitFor();
    expect(await page.locator('#tenant-name').textContent()).toBe('harness');
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('switchboard.token'))).toBe(h.token);

    const created = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'a lighthouse in a storm' }) })).json();
    expect(['created', 'started', 'progress']).toContain(created.status);
    await page.locator(`tr[data-jobid="${created.jobid}"] .status`).waitFor();
    // Every status the page shows for the job, in order, until it says completed.
    const seen = await page.waitForFunction(
      (jobid: string) => {
        // Runs in the page; the cast keeps DOM types out of this Node-typed file.
        const page = globalThis as unknown as { document: { querySelector(selector: string): { textContent: string | null } | null }; CSS: { escape(s: string): string }; seen?: string[] };
        const text = page.document.querySelector(`tr[data-jobid="${page.CSS.escape(jobid)}"] .status`)?.textContent ?? '';
        page.seen ??= [];
        if (page.seen.at(-1) !== text) page.seen.push(text);
        return text === 'completed' ? page.seen : false;
      },
      created.jobid,
      { timeout: 15_000, polling: 50 },
    );
    const statuses = (await seen.jsonValue()) as string[];
    expect(statuses.at(-1)).toBe('completed');
    expect(statuses.every((s) => ['created', 'started', 'progress', 'queued', 'completed'].includes(s)), statuses.join(' → ')).toBe(true);
    const row = page.locator(`tr[data-jobid="${created.jobid}"]`);
    expect(await row.getByRole('link', { name: /Open result/ }).getAttribute('href')).toBe((await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(created.jobid)}`)).json()).attachments[0].url);

    // The re-probe button works from the keyboard and says what it found.
    await page.getByRole('button', { name: `Re-probe faceswap account on channel ${faceswap.channel}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Re-probed faceswap account ${faceswap.channel}: active` }).waitFor();

    // A failed job shows under recent failures with the bot's reason.
    expect((await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'ada', image: png(2) }) })).status).toBe(200);
    h.sim.control.failNextFaceswapJobs(1, 'noFace');
    const failed = await (await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'ada', image: png(3) }) })).json();
    expect(failed.status).toBe('failed');
    await page.getByRole('table', { name: 'Recent failures' }).getByRole('row').filter({ hasText: 'faceswap-swapid' }).filter({ hasText: failed.error }).waitFor();

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
