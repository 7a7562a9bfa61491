/**
 * Midjourney's reply rules from the operator's `SWITCHBOARD_BOT_RULES` file, through the server:
 * a notice title the built-in table does not know changes its job's outcome once the file maps
 * it, and a bad Midjourney entry stops the start (exit 78) naming the entry.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { midjourneyRuleBook } from '../../src/providers/midjourney/rule-book.ts';
import { runCli } from '../support/cli.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-rules-'));
const rulesFile = (name: string, rules: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(rules));
  return file;
};

describe('midjourney rules from SWITCHBOARD_BOT_RULES', () => {
  let h: Harness;
  beforeAll(async () => {
    // A moderation wording Midjourney might start using: red, so without the rule it is a plain failure.
    const file = rulesFile('rules.json', { midjourney: { notices: [{ id: 'prompt-flagged', titles: ['Prompt flagged'], outcome: 'moderated', code: 422 }] } });
    h = await startHarness({ simulator: { botLatencyMs: 5 }, env: { SWITCHBOARD_BOT_RULES: file } });
  });
  afterAll(async () => {
    await h?.close();
    midjourneyRuleBook.reset();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function imagineEnd(prompt: string, channel: string): Promise<Record<string, any>> {
    const response = await h.call('POST', '/v2/jobs/imagine', { json: { prompt, channel } });
    const started = (await response.json()) as Record<string, any>;
    if (response.status !== 200) return started;
    let job: Record<string, any> = {};
    await waitUntil(async () => ['completed', 'failed', 'moderated', 'cancelled'].includes((job = await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(started.jobid)}`)).json()).status), 30_000, 'the job to end');
    return job;
  }

  it('ends a job moderated on a notice title the operator mapped, and failed on one nobody mapped', async () => {
    const account = h.sim.control.midjourney.createAccount();
    expect((await h.call('POST', `/v2/account/midjourney/${account.channelId}`, { json: { discord: account.user.token, channel: account.channelId, maxJobs: 3 } })).status).toBe(204);
    h.sim.control.midjourney.failNextJobs(1, 'Prompt flagged');
    const flagged = await imagineEnd('a flagged prompt', account.channelId);
    expect(flagged).toMatchObject({ status: 'moderated' });
    expect(flagged.error).toMatch(/^Prompt flagged/);
    h.sim.control.midjourney.failNextJobs(1, 'Prompt rejected');
    const rejected = await imagineEnd('a rejected prompt', account.channelId);
    expect(rejected).toMatchObject({ status: 'failed', code: 422 });
    expect(rejected.error).toMatch(/^Prompt rejected/);
  });

  it('refuses to start with a bad Midjourney entry, naming it (exit 78)', async () => {
    const file = rulesFile('bad.json', { midjourney: { notices: [{ id: 'job-waiting', titles: ['Job waiting'], outcome: 'waiting' }] } });
    const result = await runCli(['serve'], { SWITCHBOARD_DATA_DIR: path.join(dir, 'data'), SWITCHBOARD_BOT_RULES: file });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/rules\.midjourney\.notices\[0\]\.outcome: must be one of failed, moderated, queued, needs_human, disabled/);
  });
});
