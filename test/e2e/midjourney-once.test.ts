/**
 * U1–U4 once per parent, through HTTP on both stores: simultaneous presses of one upscale on one
 * grid make exactly one child (the others get the 409 a later press gets), and an upscale that
 * failed frees its button for a retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { availableStoreKinds } from '../support/stores.ts';
import { waitUntil } from '../support/wait.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('midjourney U1–U4 once per parent on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind, simulator: { botLatencyMs: 5 } });
  });
  afterAll(() => h?.close());

  const post = async (command: string, json: unknown) => {
    const response = await h.call('POST', `/v2/jobs/${command}`, { json });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const get = async (jobid: string) => (await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(jobid)}`)).json()) as Record<string, any>;
  async function waitForEnd(jobid: string): Promise<Record<string, any>> {
    let job: Record<string, any> = {};
    await waitUntil(async () => ['completed', 'failed', 'moderated', 'cancelled'].includes((job = await get(jobid)).status), 30_000, `job ${jobid} to end`);
    return job;
  }
  async function addAccount() {
    const account = h.sim.control.midjourney.createAccount();
    // maxJobs above the number of presses: a refusal can only be the 409, never a full account's 429.
    const response = await h.call('POST', `/v2/account/midjourney/${account.channelId}`, { json: { discord: account.user.token, channel: account.channelId, maxJobs: 10 } });
    expect(response.status, await response.text()).toBe(204);
    return { channel: account.channelId, userId: account.user.id };
  }
  async function grid(channel: string, prompt: string) {
    const started = await post('imagine', { prompt, channel });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const job = await waitForEnd(started.body.jobid);
    expect(job).toMatchObject({ status: 'completed', buttons: expect.arrayContaining(['U1', 'U2']) });
    return job;
  }

  it('answers 5 simultaneous U1 on one grid with exactly one 200 and four 409', async () => {
    const account = await addAccount();
    const parent = await grid(account.channel, 'five hands on one button');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('button', { jobid: parent.jobid, button: 'U1' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.body).toEqual({ error: 'Upscale button already executed by jobid', button: 'U1', jobid: parent.jobid, code: 409 });
    }
    const winner = answers.find((a) => a.status === 200)!.body;
    const image = await waitForEnd(winner.jobid);
    expect(image).toMatchObject({ status: 'completed', button: 'U1', parentJobId: parent.jobid });
    expect((await get(parent.jobid)).children).toEqual([{ button: 'U1', jobid: winner.jobid, messageId: image.messageId }]);
    // Another upscale of the same grid is its own slot.
    expect((await post('button', { jobid: parent.jobid, button: 'U2' })).status).toBe(200);
  });

  it('lets U1 run again after the first U1 failed', async () => {
    const account = await addAccount();
    const parent = await grid(account.channel, 'an upscale that meets a CAPTCHA');
    // Midjourney answers the next press with its human check: that U1 fails and holds the account.
    h.sim.control.midjourney.setUser(account.userId, { captcha: true });
    const first = await post('button', { jobid: parent.jobid, button: 'U1' });
    const failed = first.status === 200 ? await waitForEnd(first.body.jobid) : first.body;
    expect(failed).toMatchObject({ status: 'failed', code: 596 });
    await waitUntil(async () => (await (await h.call('GET', `/v2/account/midjourney/${account.channel}`)).json()).pendingModMessage !== undefined, 20_000, 'pendingModMessage');
    expect((await h.call('POST', `/v2/account/midjourney/${account.channel}/reset`)).status).toBe(204);

    const retry = await post('button', { jobid: parent.jobid, button: 'U1' });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await waitForEnd(retry.body.jobid)).toMatchObject({ status: 'completed', button: 'U1' });
    // The completed U1 holds the button again.
    expect((await post('button', { jobid: parent.jobid, button: 'U1' })).status).toBe(409);
    expect((await get(parent.jobid)).children.map((c: { button: string }) => c.button)).toEqual(['U1', 'U1']);
  });
});
