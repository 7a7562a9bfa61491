/** The Pika demo: a video (create), answered at once, then polled until it has ended. */
import path from 'node:path';
import { DemoFailed, failure, jobFileStem, pollJob, saveFirstAttachment, type DemoContext, type ProviderDemo } from '../shared/demo.ts';

/** Matches the simulator's default Pika concurrency. */
const DEMO_MAX_JOBS = 3;

async function run(ctx: DemoContext): Promise<string[]> {
  const { client, out, line, style, print, timeoutMs } = ctx;
  const prompt = 'a paper boat drifting across a calm lake at sunrise';
  print(`${style.bold('Pika video')}  (prompt: "${prompt}")`);
  line.start('pika create: submitting…');
  const form = new FormData();
  form.append('prompt', prompt);
  const created = await client.call('POST', '/v1/pika/create', form);
  if (created.status === 404 && !created.json.jobid) throw new DemoFailed(`this server has no Pika endpoints (POST /v1/pika/create answered 404: ${created.json.error ?? ''})`);
  if (created.status !== 200 || !created.json.jobid || !['created', 'started', 'progress', 'completed'].includes(String(created.json.status))) throw failure('pika create', created.status, created.json);
  const job = await pollJob(client, '/v1/pika/jobs/', 'pika create', created.json, line, timeoutMs);
  return [await saveFirstAttachment(ctx, job, 'pika create', 'create', 'a video', path.join(out, `pika-${jobFileStem(String(job.jobid))}.mp4`))];
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
