/** The Pika demo: a video (create), answered at once, then polled until it has ended. */
import path from 'node:path';
import { DemoFailed, failure, jobFileStem, TERMINAL, type DemoContext, type ProviderDemo } from '../shared/demo.ts';

/** Matches the simulator's default Pika concurrency. */
const DEMO_MAX_JOBS = 3;

async function run({ client, out, line, style, print, timeoutMs }: DemoContext): Promise<string[]> {
  const prompt = 'a paper boat drifting across a calm lake at sunrise';
  print(`${style.bold('Pika video')}  (prompt: "${prompt}")`);
  line.start('pika create: submitting…');
  const form = new FormData();
  form.append('prompt', prompt);
  const created = await client.call('POST', '/v1/pika/create', form);
  if (created.status === 404 && !created.json.jobid) throw new DemoFailed(`this server has no Pika endpoints (POST /v1/pika/create answered 404: ${created.json.error ?? ''})`);
  if (created.status !== 200 || !created.json.jobid || !['created', 'started', 'progress', 'completed'].includes(String(created.json.status))) throw failure('pika create', created.status, created.json);
  const jobid = created.json.jobid;
  let job = created.json;
  const deadline = Date.now() + timeoutMs;
  while (!TERMINAL.includes(String(job.status))) {
    line.set(`pika create: ${job.status} (job ${jobid})`);
    if (Date.now() > deadline) throw new DemoFailed(`pika create: still ${job.status} after ${timeoutMs / 1000}s; poll it with GET /v1/pika/jobs/?jobid=${jobid}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const polled = await client.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(jobid)}`);
    if (polled.status !== 200) throw failure('pika job poll', polled.status, polled.json);
    job = polled.json;
  }
  if (job.status !== 'completed') throw failure('pika create', 200, job);
  const url = job.attachments?.[0]?.url;
  if (!url) throw new DemoFailed('pika create completed without a video attachment');
  const elapsed = line.elapsedSeconds();
  const file = path.join(out, `pika-${jobFileStem(jobid)}.mp4`);
  line.set('pika create: downloading the video…');
  const size = await client.download(url, file);
  line.finish(`  ${style.green('✔')} create  completed in ${elapsed}s → ${file} (${size} bytes)`);
  return [file];
}

export const pikaDemo: ProviderDemo = {
  summary: 'a Pika video (create)',
  saves: ['pika-<job>.mp4'],
  account: (simulated) => ({
    channel: simulated.channelId,
    body: { discord: simulated.user.token, channel: simulated.channelId, maxJobs: DEMO_MAX_JOBS },
  }),
  run,
};
