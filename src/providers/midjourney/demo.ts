/** The Midjourney demo: an imagine (a 2×2 grid), then U1 on it (the first image alone); both are saved. */
import path from 'node:path';
import { failure, jobFileStem, pollJob, saveFirstAttachment, type DemoContext, type DemoJob, type ProviderDemo } from '../shared/demo.ts';

/** Matches the simulated Midjourney bot's default concurrency (a Standard plan's 3). */
const DEMO_MAX_JOBS = 3;

async function run(ctx: DemoContext): Promise<string[]> {
  const { client, out, line, style, print, timeoutMs } = ctx;
  const prompt = 'a lighthouse on a cliff at dusk, watercolor --ar 1:1';
  print(`${style.bold('Midjourney')}  (prompt: "${prompt}")`);
  const saved: string[] = [];
  const step = async (what: string, route: string, body: Record<string, unknown>, name: string): Promise<DemoJob> => {
    line.start(`${what}: submitting…`);
    const submitted = await client.call('POST', route, body);
    if (submitted.status !== 200 || !submitted.json.jobid) throw failure(what, submitted.status, submitted.json);
    const job = await pollJob(client, '/v2/jobs/', what, submitted.json, line, timeoutMs);
    saved.push(await saveFirstAttachment(ctx, job, what, what.replace(/^midjourney /, ''), 'an image', path.join(out, `midjourney-${name}-${jobFileStem(String(job.jobid))}.png`)));
    return job;
  };
  const grid = await step('midjourney imagine', '/v2/jobs/imagine', { prompt }, 'grid');
  await step('midjourney U1', '/v2/jobs/button', { jobid: grid.jobid, button: 'U1' }, 'u1');
  return saved;
}

export const midjourneyDemo: ProviderDemo = {
  summary: 'a Midjourney imagine followed by U1',
  saves: ['midjourney-grid-<job>.png', 'midjourney-u1-<job>.png'],
  account: (simulated) => ({
    channel: simulated.channelId,
    body: { discord: simulated.user.token, channel: simulated.channelId, maxJobs: DEMO_MAX_JOBS },
  }),
  run,
};
