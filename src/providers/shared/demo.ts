/**
 * A bot's demo, declared in its own folder (`<bot>/demo.ts`, the optional {@link Provider.demo}):
 * the account `serve --simulate` configures for it in the simulated world, and the jobs
 * `switchboard demo` runs against a running server. The CLI and the demo world only loop over the
 * providers that have one, so a new bot's demo needs no line outside its folder.
 *
 * The CLI supplies the HTTP client, the status line and the colours through {@link DemoContext};
 * the helpers below are what every bot's script needs around them.
 */

/** A job (or error) as the server answers it, loosely typed: the demo only reads a few fields. */
export type DemoJob = Record<string, unknown> & { jobid?: string; status?: string; error?: string; errorDetails?: string; progress?: unknown; attachments?: { url?: string; content_type?: string }[] };

/** The running server, with the demo's API token. */
export interface DemoClient {
  call(method: string, route: string, body?: FormData | Record<string, unknown>): Promise<{ status: number; json: DemoJob }>;
  /** Saves the file at `url` (a result attachment) to `file`; returns its size in bytes. */
  download(url: string, file: string): Promise<number>;
}

/** The one redrawn progress line (a terminal) or plain lines (anything else). */
export interface DemoLine {
  start(text: string): void;
  set(text: string): void;
  finish(text: string): void;
  elapsedSeconds(): string;
}

export interface DemoStyle {
  bold(text: string): string;
  green(text: string): string;
  red(text: string): string;
}

export interface DemoContext {
  client: DemoClient;
  /** The folder for input pictures and results. */
  out: string;
  line: DemoLine;
  style: DemoStyle;
  /** Prints a line (above the status line). */
  print(text: string): void;
  /** How long to wait for one job before giving up. */
  timeoutMs: number;
}

/** The account the simulator made for the bot: a user (and its token) with a channel the bot answers in. */
export interface SimulatedAccount {
  user: { token: string };
  channelId: string;
  /** The guild of a guild text channel; absent for a DM channel. */
  guildId?: string;
}

export interface ProviderDemo {
  /** For `switchboard demo --help`: what the demo runs, e.g. `a Pika video (create)`. */
  readonly summary: string;
  /** For `--help`: the files it saves, e.g. `pika-<job>.mp4`. */
  readonly saves: readonly string[];
  /**
   * The account `serve --simulate` configures for the demo token: the body of
   * `POST <accountPath>/<channel>` for the simulator's ready-made account of this bot.
   */
  account(simulated: SimulatedAccount): { channel: string; body: Record<string, unknown> };
  /**
   * Runs the demo against the server; returns the files it saved. Throws {@link DemoFailed} when
   * a job did not complete (the demo goes on with the other bots and exits 1).
   */
  run(context: DemoContext): Promise<string[]>;
}

/** A demo job that did not complete; anything else thrown ends the whole demo. */
export class DemoFailed extends Error {}

export const TERMINAL = ['completed', 'failed', 'moderated', 'cancelled'];

/** The part of a jobid that tells jobs apart in a file name: its timestamp digits. */
export function jobFileStem(jobid: string): string {
  const digits = /^job:(\d+)/.exec(jobid)?.[1];
  return digits ?? jobid.replace(/[^A-Za-z0-9]+/g, '').slice(0, 24);
}

/** A refused call or a job that ended without completing, with the server's own words. */
export function failure(what: string, status: number, job: DemoJob): DemoFailed {
  const detail = [job.error, job.errorDetails].filter(Boolean).join(' — ') || `HTTP ${status}`;
  return new DemoFailed(`${what} ${job.status ? `ended ${job.status}` : `was refused (HTTP ${status})`}: ${detail}`);
}

/** A multipart body with text fields and one PNG as `image`. */
export function imageForm(fields: Record<string, string>, image: Buffer, filename: string): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('image', new Blob([image], { type: 'image/png' }), filename);
  return form;
}

/** Polls `GET <route>?jobid=` until the job has ended, showing its status (and a percentage when the job has one). */
export async function pollJob(client: DemoClient, route: string, what: string, first: DemoJob, line: DemoLine, timeoutMs: number): Promise<DemoJob> {
  const jobid = String(first.jobid);
  let job = first;
  const deadline = Date.now() + timeoutMs;
  while (!TERMINAL.includes(String(job.status))) {
    line.set(`${what}: ${job.status}${typeof job.progress === 'number' ? ` ${job.progress}%` : ''} (job ${jobid})`);
    if (Date.now() > deadline) throw new DemoFailed(`${what}: still ${job.status} after ${timeoutMs / 1000}s; poll it with GET ${route}?jobid=${jobid}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const polled = await client.call('GET', `${route}?jobid=${encodeURIComponent(jobid)}`);
    if (polled.status !== 200) throw failure(`${what} poll`, polled.status, polled.json);
    job = polled.json;
  }
  if (job.status !== 'completed') throw failure(what, 200, job);
  return job;
}

/**
 * Saves the finished job's first attachment as `file` and finishes the status line with what was
 * saved (`label` is the step's short name, e.g. `swapid`); fails when the job carries no file.
 */
export async function saveFirstAttachment(ctx: Pick<DemoContext, 'client' | 'line' | 'style'>, job: DemoJob, what: string, label: string, noun: string, file: string): Promise<string> {
  const url = job.attachments?.[0]?.url;
  if (!url) throw new DemoFailed(`${what} completed without ${noun}`);
  const elapsed = ctx.line.elapsedSeconds();
  ctx.line.set(`${what}: downloading ${noun}…`);
  const size = await ctx.client.download(url, file);
  ctx.line.finish(`  ${ctx.style.green('✔')} ${label.padEnd(7)} completed in ${elapsed}s → ${file} (${size} bytes)`);
  return file;
}
