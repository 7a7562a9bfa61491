/** Midjourney on PostgreSQL: a grid, U1 as a child, the second U1 refused, children on the parent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { availableStoreKinds } from '../support/stores.ts';
import { waitUntil } from '../support/wait.ts';

const postgres = (await availableStoreKinds()).includes('postgres');

describe.runIf(postgres)('midjourney on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind: 'postgres', simulator: { botLatencyMs: 5 } });
  });
  afterAll(() => h?.close());

  const post = async (command: string, json: unknown) => {
    const response = await h.call('POST', `/v2/jobs/${command}`, { json });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  async function waitForEnd(jobid: string): Promise<Record<string, any>> {
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(jobid)}`)).json();
      return ['completed', 'failed', 'moderated', 'cancelled'].includes(job.status);
    }, 20_000, `job ${jobid} to end`);
    return job;
  }

  it('imagines, runs U1 once per parent and lists the children', async () => {
    const account = h.sim.control.midjourney.createAccount();
    expect((await h.call('POST', `/v2/account/midjourney/${account.channelId}`, { json: { discord: account.user.token, channel: account.channelId, maxJobs: 3 } })).status).toBe(204);
    const grid = await waitForEnd((await post('imagine', { prompt: 'a harbour on PostgreSQL' })).body.jobid);
    expect(grid).toMatchObject({ status: 'completed', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'] });
    const u1 = await post('button', { jobid: grid.jobid, button: 'U1' });
    expect(u1.status).toBe(200);
    const image = await waitForEnd(u1.body.jobid);
    expect(image.content).toMatch(/ - Image #1 <@\d+>$/);
    expect((await post('button', { jobid: grid.jobid, button: 'U1' })).status).toBe(409);
    expect((await (await h.call('GET', `/v2/jobs/?jobid=${encodeURIComponent(grid.jobid)}`)).json()).children).toEqual([{ button: 'U1', jobid: u1.body.jobid, messageId: image.messageId }]);
  });
});
