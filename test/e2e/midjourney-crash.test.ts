/**
 * Midjourney and SIGKILL: a `switchboard serve` killed while Midjourney renders a grid restarts
 * and finishes the job from what the bot did meanwhile — the new final message, the deleted
 * progress message — without sending /imagine again.
 */
import { describe, expect, it } from 'vitest';
import type { ServeProcess } from '../support/cli.ts';
import { useKillableServe } from '../support/killable-serve.ts';
import { waitUntil } from '../support/wait.ts';

describe('midjourney crash recovery', () => {
  const world = useKillableServe('switchboard-mj-crash-');
  let server: ServeProcess | undefined;

  it('finishes an imagine that was rendering when the process was killed, without sending it again', async () => {
    server = await world.serve();
    const token = server.firstToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const account = world.sim.control.midjourney.createAccount();
    const saved = await fetch(`${server.url}/v2/account/midjourney/${account.channelId}`, { method: 'POST', headers, body: JSON.stringify({ discord: account.user.token, channel: account.channelId, maxJobs: 3 }) });
    expect(saved.status).toBe(204);

    const started = await (await fetch(`${server.url}/v2/jobs/imagine`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'a crash test' }) })).json();
    expect(started.status).toMatch(/started|progress/);
    server.child.kill('SIGKILL');
    await server.exited;

    // While switchboard is down Midjourney finishes: the grid is a new message, the progress message is gone.
    server = await world.serve();
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v2/jobs/?jobid=${encodeURIComponent(started.jobid)}`, { headers })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 30_000, 'the job to end');
    expect(job).toMatchObject({ status: 'completed', verb: 'imagine', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'] });
    expect(job.attachments[0].filename).toMatch(/_[0-9a-f-]{36}\.png$/);
    expect(world.sim.control.report().interactions.filter((i) => i.name === 'imagine')).toHaveLength(1);
  });
});
