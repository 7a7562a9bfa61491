/** Runs the real `switchboard` executable in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../bin/switchboard.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child: the parent's, minus anything that would point it at another store. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of ['DATABASE_URL', 'SWITCHBOARD_DATA_DIR', 'SWITCHBOARD_SECRET', 'PORT', 'HOST']) delete base[key];
  // The suite's clients poll hard: the per-token rate limits are off unless a test sets them.
  return { ...base, LOG_LEVEL: 'warn', SWITCHBOARD_RATE_LIMIT: '0', SWITCHBOARD_DISCORD_RATE_LIMIT: '0', SWITCHBOARD_AUTH_FAILURE_LIMIT: '0', ...env };
}

let emptyDir: string | undefined;

/**
 * The folder a CLI run starts in: empty and private, never the checkout. The CLI reads defaults
 * relative to where it starts (`./data`, and the token and address a `serve --simulate` left in
 * `./data-simulate`): a developer who ran the README's `npx switchboard serve --simulate` in
 * their clone and then `npm test` must not have their demo token answer for a test's missing one.
 */
function emptyCwd(): string {
  if (emptyDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-cwd-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    emptyDir = dir;
  }
  return emptyDir;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: emptyCwd(), env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** The API token `serve` created on first start (written to a 0600 file, since stdout is a pipe). */
  firstToken(): string;
}

/** Starts `switchboard serve` on a free port and resolves once it says where it listens. */
export function startServe(env: Record<string, string | undefined>, args: string[] = []): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const onData = (data: Buffer) => {
      output += data;
      const match = /switchboard listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (d) => (output += d));
        const firstToken = () => fs.readFileSync(path.join(env.SWITCHBOARD_DATA_DIR ?? './data', 'first-api-token.txt'), 'utf8').trim();
        resolve({ child, url: match[1]!, output: () => output, exited, firstToken });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (output += d));
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}
