/**
 * `switchboard demo`: a guided tour against a running server — a face swap (saveid + swapid on
 * pictures it draws itself), a Pika video (create, then polling) and a Midjourney imagine + U1 — with live progress, the
 * results saved to files it names. Exit codes: 0 every job completed, 1 a job failed,
 * 2 usage, 3 server unreachable or token refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError, parseCommandArgs, type CliIO, type Command } from '../command.ts';
import { demoFace } from '../demo-image.ts';
import { readDemoToken, SIMULATE_DATA_DIR } from '../simulate.ts';
import { runningServe, SERVE_FILE } from '../serve-lock.ts';
import { StatusLine } from '../status-line.ts';
import { createStyle, type Style } from '../style.ts';

const DEFAULT_URL = 'http://127.0.0.1:8080';
/** InsightFaceSwap allows identity names of at most 10 characters. */
const DEMO_IDNAME = 'sbdemo';

const HELP = `Usage: switchboard demo [--url URL] [--token TOKEN] [--out DIR] [--only faceswap|pika|midjourney] [--timeout S]

Runs a face swap (saveid + swapid on pictures the demo draws), a Pika video (create) and a
Midjourney imagine followed by U1 against a running switchboard, shows their progress, and saves
the results as faceswap-<job>.png, pika-<job>.mp4, midjourney-grid-<job>.png and
midjourney-u1-<job>.png. Start a server to try it with:  npx switchboard serve --simulate

Options:
  --url URL      the server (default: $SWITCHBOARD_URL, else the serve --simulate running from
                 this folder (it notes its URL in ${SIMULATE_DATA_DIR}/${SERVE_FILE}), else ${DEFAULT_URL})
  --token TOKEN  API token (default: $SWITCHBOARD_TOKEN, else the token serve --simulate saved
                 in ${SIMULATE_DATA_DIR}/demo-token)
  --out DIR      folder for the input pictures and the results (default: the current folder)
  --only BOT     run only the faceswap, the pika or the midjourney part
  --timeout S    give up waiting for a job after S seconds (default 300)
  -h, --help     show this help

Exit codes: 0 every job completed, 1 a job failed, 2 usage error,
            3 server unreachable or token refused.`;

/** A job that did not complete; the demo goes on with the other bot and exits 1. */
class JobFailed extends Error {}

type Job = Record<string, unknown> & { jobid?: string; status?: string; error?: string; errorDetails?: string; attachments?: { url?: string; content_type?: string }[] };

const TERMINAL = ['completed', 'failed', 'moderated', 'cancelled'];

class Client {
  constructor(
    readonly base: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async call(method: string, route: string, body?: FormData | Record<string, unknown>): Promise<{ status: number; json: Job }> {
    let response: Response;
    const isJson = body !== undefined && !(body instanceof FormData);
    try {
      response = await fetch(new URL(route, this.base), {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(isJson ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: isJson ? JSON.stringify(body) : (body as FormData) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unreachable(this.base, error);
    }
    if (response.status === 401) throw new CliError(`the server at ${this.base} refused the API token (401)`, 3);
    const text = await response.text();
    let json: Job;
    try {
      json = JSON.parse(text) as Job;
    } catch {
      json = { error: text.slice(0, 200) };
    }
    return { status: response.status, json };
  }

  /** Downloads a result; switchboard's own URLs get the token, anything else (a CDN) does not. */
  async download(url: string, file: string): Promise<number> {
    const own = new URL(url).origin === new URL(this.base).origin;
    const response = await fetch(url, { ...(own ? { headers: { authorization: `Bearer ${this.token}` } } : {}), signal: AbortSignal.timeout(this.timeoutMs) }).catch((error: unknown) => {
      throw new JobFailed(`cannot download ${url}: ${(error as Error).message}`);
    });
    if (!response.ok) throw new JobFailed(`downloading ${url} answered HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    fs.writeFileSync(file, bytes);
    return bytes.length;
  }
}

function unreachable(base: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach switchboard at ${base} (${why}). Is it running? Try: npx switchboard serve --simulate`, 3);
}

/** The part of a jobid that tells jobs apart in a file name: its timestamp digits. */
export function jobFileStem(jobid: string): string {
  const digits = /^job:(\d+)/.exec(jobid)?.[1];
  return digits ?? jobid.replace(/[^A-Za-z0-9]+/g, '').slice(0, 24);
}

function failure(what: string, status: number, job: Job): JobFailed {
  const detail = [job.error, job.errorDetails].filter(Boolean).join(' — ') || `HTTP ${status}`;
  return new JobFailed(`${what} ${job.status ? `ended ${job.status}` : `was refused (HTTP ${status})`}: ${detail}`);
}

function imageForm(fields: Record<string, string>, image: Buffer, filename: string): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('image', new Blob([image], { type: 'image/png' }), filename);
  return form;
}

async function faceswapHalf(client: Client, out: string, line: StatusLine, style: Style, io: CliIO): Promise<string> {
  const face = demoFace(192, 0);
  const target = demoFace(192, 1);
  const facePath = path.join(out, 'demo-face.png');
  const targetPath = path.join(out, 'demo-target.png');
  fs.writeFileSync(facePath, face);
  fs.writeFileSync(targetPath, target);
  io.out(`${style.bold('Face swap')}  (pictures drawn for the demo: ${facePath}, ${targetPath})`);

  line.start(`faceswap saveid: saving the face as identity "${DEMO_IDNAME}"…`);
  const saved = await client.call('POST', '/v1/faceswap/saveid', imageForm({ idname: DEMO_IDNAME }, face, 'demo-face.png'));
  if (saved.status !== 200 || saved.json.status !== 'completed') throw failure('faceswap saveid', saved.status, saved.json);
  line.finish(`  ${style.green('✔')} saveid  completed in ${line.elapsedSeconds()}s`);

  line.start('faceswap swapid: swapping it onto the second picture…');
  const swapped = await client.call('POST', '/v1/faceswap/swapid', imageForm({ idname: DEMO_IDNAME }, target, 'demo-target.png'));
  if (swapped.status !== 200 || swapped.json.status !== 'completed') throw failure('faceswap swapid', swapped.status, swapped.json);
  const url = swapped.json.attachments?.[0]?.url;
  if (!url) throw new JobFailed('faceswap swapid completed without a result attachment');
  const elapsed = line.elapsedSeconds();
  const file = path.join(out, `faceswap-${jobFileStem(String(swapped.json.jobid))}.png`);
  line.set('faceswap swapid: downloading the result…');
  const size = await client.download(url, file);
  line.finish(`  ${style.green('✔')} swapid  completed in ${elapsed}s → ${file} (${size} bytes)`);
  return file;
}

async function pikaHalf(client: Client, out: string, line: StatusLine, style: Style, io: CliIO, timeoutMs: number): Promise<string> {
  const prompt = 'a paper boat drifting across a calm lake at sunrise';
  io.out(`${style.bold('Pika video')}  (prompt: "${prompt}")`);
  line.start('pika create: submitting…');
  const form = new FormData();
  form.append('prompt', prompt);
  const created = await client.call('POST', '/v1/pika/create', form);
  if (created.status === 404 && !created.json.jobid) throw new JobFailed(`this server has no Pika endpoints (POST /v1/pika/create answered 404: ${created.json.error ?? ''})`);
  if (created.status !== 200 || !created.json.jobid || !['created', 'started', 'progress', 'completed'].includes(String(created.json.status))) throw failure('pika create', created.status, created.json);
  const jobid = created.json.jobid;
  let job = created.json;
  const deadline = Date.now() + timeoutMs;
  while (!TERMINAL.includes(String(job.status))) {
    line.set(`pika create: ${job.status} (job ${jobid})`);
    if (Date.now() > deadline) throw new JobFailed(`pika create: still ${job.status} after ${timeoutMs / 1000}s; poll it with GET /v1/pika/jobs/?jobid=${jobid}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const polled = await client.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(jobid)}`);
    if (polled.status !== 200) throw failure('pika job poll', polled.status, polled.json);
    job = polled.json;
  }
  if (job.status !== 'completed') throw failure('pika create', 200, job);
  const url = job.attachments?.[0]?.url;
  if (!url) throw new JobFailed('pika create completed without a video attachment');
  const elapsed = line.elapsedSeconds();
  const file = path.join(out, `pika-${jobFileStem(jobid)}.mp4`);
  line.set('pika create: downloading the video…');
  const size = await client.download(url, file);
  line.finish(`  ${style.green('✔')} create  completed in ${elapsed}s → ${file} (${size} bytes)`);
  return file;
}

/** Polls `GET <route>?jobid=` until the job has ended, showing its status (and Midjourney's percentage). */
async function pollJob(client: Client, route: string, what: string, first: Job, line: StatusLine, timeoutMs: number): Promise<Job> {
  const jobid = String(first.jobid);
  let job = first;
  const deadline = Date.now() + timeoutMs;
  while (!TERMINAL.includes(String(job.status))) {
    line.set(`${what}: ${job.status}${typeof job.progress === 'number' ? ` ${job.progress}%` : ''} (job ${jobid})`);
    if (Date.now() > deadline) throw new JobFailed(`${what}: still ${job.status} after ${timeoutMs / 1000}s; poll it with GET ${route}?jobid=${jobid}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const polled = await client.call('GET', `${route}?jobid=${encodeURIComponent(jobid)}`);
    if (polled.status !== 200) throw failure(`${what} poll`, polled.status, polled.json);
    job = polled.json;
  }
  if (job.status !== 'completed') throw failure(what, 200, job);
  return job;
}

/** Midjourney: an imagine (a 2×2 grid), then U1 on it (the first image alone); both are saved. */
async function midjourneyHalf(client: Client, out: string, line: StatusLine, style: Style, io: CliIO, timeoutMs: number): Promise<string[]> {
  const prompt = 'a lighthouse on a cliff at dusk, watercolor --ar 1:1';
  io.out(`${style.bold('Midjourney')}  (prompt: "${prompt}")`);
  const saved: string[] = [];
  const step = async (what: string, route: string, body: Record<string, unknown>, name: string): Promise<Job> => {
    line.start(`${what}: submitting…`);
    const submitted = await client.call('POST', route, body);
    if (submitted.status !== 200 || !submitted.json.jobid) throw failure(what, submitted.status, submitted.json);
    const job = await pollJob(client, '/v2/jobs/', what, submitted.json, line, timeoutMs);
    const url = job.attachments?.[0]?.url;
    if (!url) throw new JobFailed(`${what} completed without an image`);
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

function resolveToken(flag: string | undefined): { token: string; from: string } {
  if (flag !== undefined && flag.trim() !== '') return { token: flag.trim(), from: '--token' };
  const env = process.env.SWITCHBOARD_TOKEN?.trim();
  if (env) return { token: env, from: 'SWITCHBOARD_TOKEN' };
  const saved = readDemoToken(path.resolve(SIMULATE_DATA_DIR));
  if (saved) return { token: saved, from: path.join(SIMULATE_DATA_DIR, 'demo-token') };
  throw new CliError('no API token: pass --token TOKEN or set SWITCHBOARD_TOKEN (serve prints one)', 2);
}

/** --url, else $SWITCHBOARD_URL, else the running `serve --simulate` of this folder, else the default. */
function resolveUrl(flag: string | undefined): { url: string; from: string } {
  if (flag !== undefined) return { url: flag, from: '--url' };
  const env = process.env.SWITCHBOARD_URL?.trim();
  if (env) return { url: env, from: 'SWITCHBOARD_URL' };
  const running = runningServe(path.resolve(SIMULATE_DATA_DIR))?.url;
  return running ? { url: running, from: path.join(SIMULATE_DATA_DIR, SERVE_FILE) } : { url: DEFAULT_URL, from: 'the default URL' };
}

export const demo: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const url = resolveUrl(values.url);
  let base: string;
  try {
    base = new URL(url.url).toString().replace(/\/$/, '');
  } catch {
    throw new CliError(`${url.from} must be an absolute URL, got '${url.url}'`, 2);
  }
  if (values.only !== undefined && !['faceswap', 'pika', 'midjourney'].includes(values.only)) throw new CliError('--only must be faceswap, pika or midjourney', 2);
  const timeoutS = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new CliError('--timeout must be a positive number of seconds', 2);
  const { token, from } = resolveToken(values.token);
  const out = path.resolve(values.out ?? '.');
  fs.mkdirSync(out, { recursive: true });

  const style = createStyle(io.color === true);
  const client = new Client(base, token, timeoutS * 1000);
  // Reachable and authorised before anything is sent; the overview also says what is configured.
  const overview = await client.call('GET', '/v1/dashboard/overview');
  if (overview.status !== 200) throw new CliError(`the server at ${base} answered HTTP ${overview.status} to GET /v1/dashboard/overview: ${overview.json.error ?? ''}`, 3);
  const bots = (overview.json.bots ?? []) as { name: string; accountPath?: string; accounts: unknown[] }[];
  const configured = (bot: string) => (bots.find((b) => b.name === bot)?.accounts.length ?? 0) > 0;
  io.out(`switchboard demo against ${base} (token from ${from}, tenant '${(overview.json.tenant as { name?: string } | undefined)?.name ?? '?'}')`);
  io.out('');

  const line = new StatusLine(io);
  const halves = [
    { bot: 'faceswap', run: async () => [await faceswapHalf(client, out, line, style, io)] },
    { bot: 'pika', run: async () => [await pikaHalf(client, out, line, style, io, timeoutS * 1000)] },
    { bot: 'midjourney', run: () => midjourneyHalf(client, out, line, style, io, timeoutS * 1000) },
  ].filter((h) => values.only === undefined || h.bot === values.only);
  const saved: string[] = [];
  let failed = 0;
  for (const half of halves) {
    try {
      const accountPath = bots.find((b) => b.name === half.bot)?.accountPath ?? `/v1/${half.bot}/account`;
      if (!configured(half.bot)) throw new JobFailed(`no ${half.bot} account is configured for this token; add one with POST ${accountPath}/<channel>`);
      saved.push(...(await half.run()));
    } catch (error) {
      if (!(error instanceof JobFailed)) {
        line.finish('');
        throw error;
      }
      failed++;
      line.finish(`  ${style.red('✘')} ${error.message}`);
    }
    io.out('');
  }
  if (saved.length > 0) {
    io.out('Saved:');
    for (const file of saved) io.out(`  ${file}`);
  }
  io.out(failed === 0 ? style.green('Demo complete.') : style.red(`${failed} of ${halves.length} demo part${halves.length === 1 ? '' : 's'} failed.`));
  return failed === 0 ? 0 : 1;
};
