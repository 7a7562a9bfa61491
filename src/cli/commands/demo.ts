/**
 * `switchboard demo`: a guided tour against a running server — each bot's demo (declared in its
 * provider folder, `Provider.demo`) in the registry's order, with live progress, the results saved
 * to files it names. Exit codes: 0 every job completed, 1 a job failed, 2 usage, 3 server
 * unreachable or token refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError, parseCommandArgs, type Command } from '../command.ts';
import { DemoFailed, providers, type DemoClient, type DemoJob, type Provider, type ProviderDemo } from '../../providers/index.ts';
import { readDemoToken, SIMULATE_DATA_DIR } from '../simulate.ts';
import { runningServe, SERVE_FILE } from '../serve-lock.ts';
import { StatusLine } from '../status-line.ts';
import { createStyle } from '../style.ts';

const DEFAULT_URL = 'http://127.0.0.1:8080';
/** The bots that have a demo, in the registry's order. */
const demos = providers.filter((p): p is Provider & { demo: ProviderDemo } => p.demo !== undefined);
const names = demos.map((p) => p.name);
const width = Math.max(...names.map((n) => n.length));

/** `a, b or c`. */
function oneOf(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

const HELP = `Usage: switchboard demo [--url URL] [--token TOKEN] [--out DIR] [--only ${names.join('|')}] [--timeout S]

Runs each bot's demo against a running switchboard, shows its progress, and saves the results:
${demos.map((p) => `  ${p.name.padEnd(width)}  ${p.demo.summary} → ${p.demo.saves.join(', ')}`).join('\n')}
Start a server to try it with:  npx switchboard serve --simulate

Options:
  --url URL      the server (default: $SWITCHBOARD_URL, else the serve --simulate running from
                 this folder (it notes its URL in ${SIMULATE_DATA_DIR}/${SERVE_FILE}), else ${DEFAULT_URL})
  --token TOKEN  API token (default: $SWITCHBOARD_TOKEN, else the token serve --simulate saved
                 in ${SIMULATE_DATA_DIR}/demo-token)
  --out DIR      folder for the input pictures and the results (default: the current folder)
  --only BOT     run only that bot's part: ${oneOf(names)}
  --timeout S    give up waiting for a job after S seconds (default 300)
  -h, --help     show this help

Exit codes: 0 every job completed, 1 a job failed, 2 usage error,
            3 server unreachable or token refused.`;

class Client implements DemoClient {
  constructor(
    readonly base: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async call(method: string, route: string, body?: FormData | Record<string, unknown>): Promise<{ status: number; json: DemoJob }> {
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
    let json: DemoJob;
    try {
      json = JSON.parse(text) as DemoJob;
    } catch {
      json = { error: text.slice(0, 200) };
    }
    return { status: response.status, json };
  }

  /** Downloads a result; switchboard's own URLs get the token, anything else (a CDN) does not. */
  async download(url: string, file: string): Promise<number> {
    const own = new URL(url).origin === new URL(this.base).origin;
    const response = await fetch(url, { ...(own ? { headers: { authorization: `Bearer ${this.token}` } } : {}), signal: AbortSignal.timeout(this.timeoutMs) }).catch((error: unknown) => {
      throw new DemoFailed(`cannot download ${url}: ${(error as Error).message}`);
    });
    if (!response.ok) throw new DemoFailed(`downloading ${url} answered HTTP ${response.status}`);
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
  if (values.only !== undefined && !names.includes(values.only)) throw new CliError(`--only must be ${oneOf(names)}`, 2);
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
  const timeoutMs = timeoutS * 1000;
  const halves = demos.filter((p) => values.only === undefined || p.name === values.only);
  const saved: string[] = [];
  let failed = 0;
  for (const half of halves) {
    try {
      const accountPath = bots.find((b) => b.name === half.name)?.accountPath ?? `/v1/${half.name}/account`;
      if (!configured(half.name)) throw new DemoFailed(`no ${half.name} account is configured for this token; add one with POST ${accountPath}/<channel>`);
      saved.push(...(await half.demo.run({ client, out, line, style, print: (text) => io.out(text), timeoutMs })));
    } catch (error) {
      if (!(error instanceof DemoFailed)) {
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
