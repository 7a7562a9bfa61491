/**
 * The README's quick start, run exactly as printed from a clean copy of the repository: the
 * commands are read from README.md here, so the README cannot drift from what works. The only
 * thing added is `PORT=0` in the environment, so the test never collides with a server on 8080 —
 * which also proves that `switchboard demo` finds the running `serve --simulate` by itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, runCli } from '../support/cli.ts';
import { waitUntil } from '../support/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every command in the `sh` code blocks of the README's "Quick start" section, comments stripped. */
function quickStartCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Quick start');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]!
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

/** A copy of the working tree's files (tracked and new, not ignored) with the installed node_modules. */
function cleanCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-quickstart-'));
  const list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const file of list.split('\0').filter(Boolean)) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  // `npm ci` needs the registry; the installed tree is what it would produce.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

interface Shell {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const shells: Shell[] = [];

/** Runs a README line through `sh -c` in its own process group (npm and npx start children). */
function shell(command: string, cwd: string): Shell {
  const env = childEnv({ PORT: '0', LOG_LEVEL: 'warn', NO_COLOR: '1' });
  for (const key of ['SWITCHBOARD_TOKEN', 'SWITCHBOARD_URL']) delete env[key];
  const child = spawn('sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const s = { child, output: () => output, exited };
  shells.push(s);
  return s;
}

async function stop(s: Shell): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-s.child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  group('SIGTERM');
  const killed = setTimeout(() => group('SIGKILL'), 15_000);
  await s.exited;
  clearTimeout(killed);
  // npm may exit before its child: make sure nothing of the group is left.
  group('SIGKILL');
}

async function listeningUrl(s: Shell): Promise<string> {
  await waitUntil(() => /switchboard listening on http:\/\/\S+/.test(s.output()) || s.child.exitCode !== null, 120_000, 'the server to listen');
  const match = /switchboard listening on (http:\/\/\S+)/.exec(s.output());
  if (!match) throw new Error(`the server did not start:\n${s.output()}`);
  return match[1]!;
}

describe("the README's quick start, as printed, from a clean copy", () => {
  const commands = quickStartCommands();
  let copy: string;

  beforeAll(() => {
    copy = cleanCopy();
  });
  afterAll(async () => {
    await Promise.all(shells.map(stop));
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('prints four commands: serve --simulate, npm test, demo and npm start', () => {
    expect(commands).toHaveLength(4);
    expect(commands.filter((c) => /switchboard serve --simulate/.test(c))).toHaveLength(1);
    expect(commands.filter((c) => /switchboard demo/.test(c))).toHaveLength(1);
    expect(commands.filter((c) => /^npm start\b/.test(c))).toHaveLength(1);
    expect(commands).toContain('npm test');
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`switchboard ${version}\n`);
  });

  it('npm start serves /healthz and, its output being a pipe, writes the first API token to a 0600 file', async () => {
    const server = shell(commands.find((c) => /^npm start\b/.test(c))!, copy);
    const url = await listeningUrl(server);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const match = /No API token existed, so one was created for tenant 'default' and written to (\S+) \(mode 0600\)/.exec(server.output());
    expect(match, server.output()).not.toBeNull();
    const token = fs.readFileSync(match![1]!, 'utf8').trim();
    expect(token).toMatch(/^sb_\S+$/);
    expect(fs.statSync(match![1]!).mode & 0o777).toBe(0o600);
    expect(server.output()).not.toContain(token);
    // The token it wrote is the one the server accepts.
    expect((await fetch(`${url}/v1/faceswap/account`, { headers: { authorization: `Bearer ${token}` } })).status).not.toBe(401);
    await stop(server);
  }, 180_000);

  it('serve --simulate, then demo in a second terminal, saves a face swap and a Pika video; a second serve on the same folder refuses', async () => {
    const serveLine = commands.find((c) => /switchboard serve --simulate/.test(c))!;
    const server = shell(serveLine, copy);
    const url = await listeningUrl(server);
    // Printed a few writes after the "listening" line; through the shell's pipe it may come later.
    await waitUntil(() => server.output().includes('Run the demo in another terminal:') || server.child.exitCode !== null, 60_000, 'the demo hint');
    expect(server.output()).toContain('Run the demo in another terminal:  npx switchboard demo\n');

    const second = shell(serveLine, copy);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already used by another 'switchboard serve --simulate' \(pid \d+, http:\/\/127\.0\.0\.1:\d+\)/);
    // The refused server touched nothing: the first still answers with its demo accounts.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const demo = shell(commands.find((c) => /switchboard demo/.test(c))!, copy);
    const code = await demo.exited;
    expect(code, demo.output()).toBe(0);
    expect(demo.output()).toContain(`switchboard demo against ${url} (token from data-simulate/demo-token`);
    expect(demo.output()).toContain('Demo complete.');
    const saved = fs.readdirSync(copy);
    expect(saved).toContainEqual(expect.stringMatching(/^faceswap-\d{17}\.png$/));
    expect(saved).toContainEqual(expect.stringMatching(/^pika-\d{17}\.mp4$/));

    await stop(server);
    // Stopped cleanly: the folder is free again and demo no longer finds a server there.
    expect(fs.existsSync(path.join(copy, 'data-simulate', 'serve.json'))).toBe(false);
  }, 300_000);
});
