/** `serve --simulate` and `demo` as an operator runs them: real processes, real sockets. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from '../support/cli.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const tokenAfter = (output: string, marker: RegExp) => {
  const lines = output.split('\n');
  return lines[lines.findIndex((l) => marker.test(l)) + 1]!.trim();
};

describe('serve --simulate and demo', () => {
  let dir: string;
  let server: ServeProcess | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-demo-'));
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a demo world whose token and accounts the demo uses to save a face swap, a Pika video and a Midjourney grid and U1, and a restart keeps the token but not stale accounts', async () => {
    const dataDir = path.join(dir, 'data');
    const out = path.join(dir, 'out');
    server = await startServe({ DATABASE_URL: 'postgres://ignored@127.0.0.1:1/x' }, ['--simulate', '--data-dir', dataDir, '--latency', '100']);
    const first = server.output();
    const token = tokenAfter(first, /Created the demo API token/);
    expect(token).toMatch(/^sb_/);
    expect(first).toMatch(/Configured for it: faceswap account on channel \d+, pika account on channel \d+/);
    expect(fs.readFileSync(path.join(dataDir, 'demo-token'), 'utf8').trim()).toBe(token);
    expect(fs.statSync(path.join(dataDir, 'demo-token')).mode & 0o077).toBe(0);

    const demo = await runCli(['demo', '--url', server.url, '--token', token, '--out', out]);
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).not.toMatch(/\x1b\[/); // not a terminal: no colours, no redrawn lines
    const saved = demo.stdout.split('\n').filter((l) => /^ {2}\//.test(l)).map((l) => l.trim());
    expect(saved.map((f) => path.basename(f))).toEqual([
      expect.stringMatching(/^faceswap-\d{17}\.png$/),
      expect.stringMatching(/^pika-\d{17}\.mp4$/),
      expect.stringMatching(/^midjourney-grid-\d{17}\.png$/),
      expect.stringMatching(/^midjourney-u1-\d{17}\.png$/),
    ]);
    expect(fs.readFileSync(saved[0]!).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.readFileSync(saved[1]!).subarray(4, 8).toString()).toBe('ftyp');
    expect(fs.readFileSync(saved[2]!).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.readFileSync(saved[3]!).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.existsSync(path.join(out, 'demo-face.png'))).toBe(true);

    expect(server.output()).toContain(`Dashboard: ${server.url}/dashboard`);
    const [accounts, jobs, active] = await Promise.all([
      runCli(['accounts', '--data-dir', dataDir]),
      runCli(['jobs', '--data-dir', dataDir, '--limit', '4']),
      runCli(['jobs', '--data-dir', dataDir, '--active']),
    ]);
    expect(accounts.code).toBe(0);
    expect(accounts.stdout).toMatch(/demo +faceswap +\d+ +active/);
    expect(accounts.stdout).toMatch(/demo +pika +\d+ +active/);
    expect(accounts.stdout).toMatch(/demo +midjourney +\d+ +active/);
    for (const discord of first.matchAll(/token (\S+\.\S+\.\S+)/g)) expect(accounts.stdout).not.toContain(discord[1]);
    expect(jobs.stdout.trim().split('\n')).toHaveLength(5);
    expect(jobs.stdout).toMatch(/pika-create +completed/);
    expect(jobs.stdout).toMatch(/midjourney-imagine +completed/);
    expect(jobs.stdout).toMatch(/midjourney-button +completed/);
    expect(active.stdout.trim()).toBe('no active jobs');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    server = await startServe({}, ['--simulate', '--data-dir', dataDir, '--latency', '100']);
    expect(tokenAfter(server.output(), /Demo API token \(tenant 'demo'/)).toBe(token);
    expect(server.output()).toContain('Removed 3 demo accounts left from an earlier run');
    const overview = await (await fetch(`${server.url}/v1/dashboard/overview`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(overview.bots.map((b: { accounts: unknown[] }) => b.accounts.length)).toEqual([1, 1, 1]);
    // Two servers, a demo and three CLI runs in a row: on a loaded 2-core machine this needs more
    // than the default 30 s (each process start alone can take several seconds there).
  }, 180_000);

  it('exits 3 when the server is unreachable or refuses the token, and 2 on a usage error', async () => {
    const refusing = http.createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Unauthorized","code":401}'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as { port: number }).port;
    try {
      const [down, refused, usage, noToken] = await Promise.all([
        runCli(['demo', '--url', 'http://127.0.0.1:1', '--token', 'sb_x', '--out', dir]),
        runCli(['demo', '--url', `http://127.0.0.1:${port}`, '--token', 'sb_x', '--out', dir]),
        runCli(['demo', '--only', 'dalle', '--token', 'sb_x']),
        runCli(['demo', '--url', 'http://127.0.0.1:1'], { SWITCHBOARD_TOKEN: '' }),
      ]);
      expect(down.code).toBe(3);
      expect(down.stderr).toContain('cannot reach switchboard at http://127.0.0.1:1');
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('refused the API token');
      expect(usage.code).toBe(2);
      // The bots with a demo, from the registry.
      expect(usage.stderr).toContain('--only must be faceswap, pika or midjourney');
      expect(noToken.code, noToken.stderr).toBe(2);
      expect(noToken.stderr).toContain('no API token');
    } finally {
      refusing.close();
    }
  });
});

describe('demo against a server where a job fails', () => {
  let h: Harness;
  let out: string;
  afterAll(async () => {
    await h?.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('reports the failed job, still runs the other parts, and exits 1', async () => {
    h = await startHarness();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-demo-'));
    await h.addFaceswapAccount();
    h.sim.control.failNextFaceswapJobs(1, 'noFace');
    const result = await runCli(['demo', '--url', h.url, '--token', h.token, '--out', out]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/✘ faceswap swapid ended failed: no face detected/);
    expect(result.stdout).toContain('✘ no pika account is configured for this token');
    expect(result.stdout).toContain('✘ no midjourney account is configured for this token');
    expect(result.stdout).toContain('3 of 3 demo parts failed.');
  });
});
