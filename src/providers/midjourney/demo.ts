/** The Midjourney demo: an imagine (a 2×2 grid), then U1 on it (the first image alone); both are saved. */
import path from 'node:path';
import { DemoFailed, failure, jobFileStem, pollJob, type DemoContext, type DemoJob, type ProviderDemo } from '../shared/demo.ts';

/** Matches the simulated Midjourney bot's default concurrency (a Standard plan's 3). */
const DEMO_MAX_JOBS = 3;

async function run({ client, out, line, style, print, timeoutMs }: DemoContext): Promise<string[]> {
  const prompt = 'a lighthouse on a cliff at dusk, watercolor --ar 1:1';
  print(`${style.bold('Midjourney')}  (prompt: "${prompt}")`);
  const saved: string[] = [];
  const step = async (what: string, route: string, body: Record<string, unknown>, name: string): Promise<DemoJob> => {
    line.start(`${what}: submitting…`);
    const submitted = await client.call('POST', route, body);
    if (submitted.status !== 200 || !submitted.json.jobid) throw failure(what, submitted.status, submitted.json);
    const job = await pollJob(client, '/v2/jobs/', what, submitted.json, line, timeoutMs);
    const url = job.attachments?.[0]?.url;
    if (!url) throw new DemoFailed(`${what} completed without an image`);
    const elapsed = line.elapsedSeconds();
    const file = path.join(out, `midjourney-${name}-${jobFileStem(String(job.jobid))}.png`);
    line.set(`${what}: downloading the image…`);
    const size = await client.download(url, file);
    line.finish(`  ${style.green('✔')} ${what.replace(/^midjourney /, '').padEnd(7)} completed in ${elapsed}s → ${file} (${size} bytes)`);
    saved.push(file);
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
