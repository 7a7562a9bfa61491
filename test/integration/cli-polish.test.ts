/** The CLI's manners: help everywhere, colours only where wanted, exit codes that mean something. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { colorEnabled, createStyle } from '../../src/cli/style.ts';
import { StatusLine } from '../../src/cli/status-line.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli } from '../support/cli.ts';

function capture(options: { color?: boolean } = {}): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false, color: options.color ?? false };
}

const COMMANDS = ['serve', 'token', 'migrate', 'simulator', 'demo', 'accounts', 'jobs'];

describe('the switchboard CLI', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-polish-'));
    const store = await openStore(loadConfig({ SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SECRET: 'cli-polish-secret' }));
    await store.tenants.create({ id: 'tnt_a', name: 'alpha', tokenHash: 'h', tokenHint: 'sb_x…', createdAt: 1 });
    await store.accounts.upsert({ id: 'acc_1', tenantId: 'tnt_a', bot: 'faceswap', channel: '100000000000000001', server: '100000000000000002', discordToken: 'ciphertext-never-shown', discordFingerprint: 'f', maxJobs: null, now: 1 });
    await store.accounts.setHealth('acc_1', { state: 'auth_failed', reason: 'token_rejected', detail: '401 from Discord', failures: 1, since: 1, until: null, nextProbeAt: 2 }, 2);
    await store.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('answers --help on every command with its usage and exit code 0', async () => {
    for (const command of COMMANDS) {
      const io = capture();
      expect(await main([command, '--help'], io), command).toBe(0);
      expect(io.stdout.join('\n'), command).toMatch(new RegExp(`Usage:\\s+switchboard ${command}`));
    }
    const io = capture();
    expect(await main(['token', 'create', '--help'], io)).toBe(0);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('Exit codes:');
    for (const command of COMMANDS) expect(io.stdout.join('\n')).toContain(`  ${command} `);
  });

  it('uses colours only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(createStyle(false).red('x')).toBe('x');
    expect(createStyle(true).red('x')).toBe('\x1b[31mx\x1b[39m');
  });

  it('redraws one status line in place on a terminal and prints each new state once elsewhere', () => {
    const written: string[] = [];
    const tty = { ...capture(), isTTY: true, write: (text: string) => void written.push(text) };
    const live = new StatusLine(tty);
    live.start('pika create: started');
    live.set('pika create: progress');
    live.finish('done');
    expect(written.filter((w) => w.startsWith('\r\x1b[2K') && w.includes('pika create: progress'))).toHaveLength(1);
    expect(written.at(-1)).toBe('\r\x1b[2K');
    expect(tty.stdout).toEqual(['done']);

    const plain = capture();
    const line = new StatusLine(plain);
    line.start('pika create: started');
    line.set('pika create: started');
    line.set('pika create: progress');
    line.finish('done');
    expect(plain.stdout).toEqual(['  pika create: started', '  pika create: progress', 'done']);
  });

  it('lists accounts with health and reason, coloured only when asked, and never the Discord token', async () => {
    const plain = capture();
    expect(await main(['accounts', '--data-dir', dataDir], plain)).toBe(0);
    const text = plain.stdout.join('\n');
    expect(text).toMatch(/TENANT +BOT +CHANNEL +HEALTH +REASON/);
    expect(text).toMatch(/alpha +faceswap +100000000000000001 +auth_failed +token_rejected: 401 from Discord +- +0\/1/);
    expect(text).not.toContain('ciphertext-never-shown');
    expect(text).not.toMatch(/\x1b\[/);

    const coloured = capture({ color: true });
    expect(await main(['accounts', '--data-dir', dataDir], coloured)).toBe(0);
    expect(coloured.stdout.join('\n')).toContain('\x1b[31mauth_failed\x1b[39m');

    const json = capture();
    expect(await main(['accounts', '--data-dir', dataDir, '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject([{ tenant: { name: 'alpha' }, channel: '100000000000000001', health: { state: 'auth_failed' } }]);
  });

  it('refuses bad options with exit code 2 and an unknown tenant with 1', async () => {
    const io = capture();
    expect(await main(['jobs', '--limit', '0', '--data-dir', dataDir], io)).toBe(2);
    expect(await main(['jobs', '--bot', 'dalle', '--data-dir', dataDir], io)).toBe(2);
    expect(await main(['accounts', '--bogus'], io)).toBe(2);
    expect(await main(['serve', '--latency', '100'], io)).toBe(2);
    expect(await main(['nonsense'], io)).toBe(2);
    expect(await main(['jobs', '--tenant', 'nobody', '--data-dir', dataDir], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain("no tenant with id or name 'nobody'");
    const empty = capture();
    expect(await main(['jobs', '--data-dir', dataDir], empty)).toBe(0);
    expect(empty.stdout).toEqual(['no jobs']);
  });

  it('prints no colour codes when its output is not a terminal, even in a real process', async () => {
    const result = await runCli(['accounts', '--data-dir', dataDir], { FORCE_COLOR: '1' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('auth_failed');
    expect(result.stdout).not.toMatch(/\x1b\[/);
  });
});
