/** The `switchboard` command as an operator runs it: real processes, real stores. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from '../support/cli.ts';

describe('switchboard CLI', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServeProcess | undefined;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
    env = { SWITCHBOARD_DATA_DIR: dataDir };
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a token that is the last stdout line, lists it without the secret, and revokes it', async () => {
    const created = await runCli(['token', 'create', '--name', 'ci-bot'], env);
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);

    const listed = await runCli(['token', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('ci-bot');
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(token);

    const revoked = await runCli(['token', 'revoke', 'ci-bot'], env);
    expect(revoked.code).toBe(0);
    expect((await runCli(['token', 'list'], env)).stdout).toMatch(/ci-bot.*revoked/);
    const again = await runCli(['token', 'revoke', 'ci-bot'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no active token with id or name 'ci-bot'");
  });

  it('refuses token create without a name with a usage error', async () => {
    const result = await runCli(['token', 'create'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--name');
  });

  it('serves with an embedded database, prints a first token once, and stops cleanly on SIGTERM', async () => {
    server = await startServe(env);
    // Standard output is a pipe here, so the token goes to a 0600 file and never to the output.
    const tokenFile = path.join(dataDir, 'first-api-token.txt');
    expect(server.output()).toContain(tokenFile);
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^sb_/);
    expect(server.output()).not.toContain(token);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of ['switchboard.db', 'switchboard.db-wal', 'secret.key']) expect(fs.statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dataDir, 'switchboard.db'))).toBe(true);

    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    const authorised = await fetch(`${server.url}/v1/faceswap/account`, { headers: { authorization: `Bearer ${token}` } });
    expect(authorised.status).toBe(404);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    server = await startServe(env);
    expect(server.output()).not.toContain('No API token existed');
    expect((await fetch(`${server.url}/v1/faceswap/account`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('explains a bad PORT and exits with a configuration error', async () => {
    const result = await runCli(['serve'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("PORT must be an integer from 0 to 65535, got 'eighty'");
  });

  it('explains an unreachable DATABASE_URL without showing its password', async () => {
    const result = await runCli(['serve'], { ...env, DATABASE_URL: 'postgres://user:hunter2@127.0.0.1:1/nothing' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot connect to PostgreSQL at 127.0.0.1:1/nothing');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('explains a data directory that cannot be created', async () => {
    const file = path.join(dataDir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const result = await runCli(['serve'], { SWITCHBOARD_DATA_DIR: path.join(file, 'data') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot open the SQLite database .*a-file\/data/);
  });

  it('prints usage for an unknown command and exits 2', async () => {
    const result = await runCli(['frobnicate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('Usage: switchboard <command>');
  });
});
