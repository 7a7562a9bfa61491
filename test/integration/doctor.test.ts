/**
 * `switchboard doctor` as an operator runs it (a real process) against the simulated Discord:
 * it names a renamed option, a missing command and a bot that left the server, in plain words.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { openServices } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { faceswap } from '../../src/providers/faceswap/index.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { runCli } from '../support/cli.ts';

describe('switchboard doctor', () => {
  let sim: Simulator;
  let dataDir: string;
  let env: Record<string, string>;
  const accounts: { channelId: string; guildId: string }[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ heartbeatIntervalMs: 1000 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-doctor-'));
    env = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SECRET: 'doctor-secret-value-123', DISCORD_API_URL: sim.apiUrl, DISCORD_GATEWAY_URL: sim.gatewayUrl };
    const services = await openServices(loadConfig({ ...env, SWITCHBOARD_VERIFY_ACCOUNTS: '1' }));
    try {
      const tenant = (await issueApiToken(services.store, 'ops')).tenant;
      for (let i = 0; i < 2; i++) {
        const a = sim.control.createFaceswapAccount();
        await services.accounts.save(tenant.id, faceswap, a.channelId, { discord: a.user.token, server: a.guildId, channel: a.channelId });
        accounts.push({ channelId: a.channelId, guildId: a.guildId });
      }
    } finally {
      await services.close();
    }
  });
  afterAll(async () => {
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('says everything is fine when it is', async () => {
    const result = await runCli(['doctor', '--channel', accounts[0]!.channelId], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ token: Discord accepts the token');
    expect(result.stdout).toContain('✓ bot: InsightFaceSwap is there');
    expect(result.stdout).toContain('✓ commands: Its commands match');
  });

  it('reports a renamed option with the alias that fixes it, and a missing command', async () => {
    sim.control.renameCommandOption('faceswap', 'swapid', 'idname', 'names');
    sim.control.removeCommand('faceswap', 'headshot');
    const result = await runCli(['doctor', '--channel', accounts[0]!.channelId], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('needs fixing');
    expect(result.stdout).toContain('✗ commands: /swapid has no option "idname", which switchboard sends on every call. If the bot renamed it to "names", add "swapid.idname": "names" to optionAliases in SWITCHBOARD_BOT_RULES.');
    expect(result.stdout).toContain('✗ commands: InsightFaceSwap offers no /headshot here, so calls that use it will fail');

    // The operator's alias map makes the renamed option fine again.
    const rules = path.join(dataDir, 'rules.json');
    fs.writeFileSync(rules, JSON.stringify({ faceswap: { optionAliases: { 'swapid.idname': 'names' } } }));
    const aliased = await runCli(['doctor', '--channel', accounts[0]!.channelId, '--json'], { ...env, SWITCHBOARD_BOT_RULES: rules });
    const [report] = JSON.parse(aliased.stdout);
    expect(report.findings.filter((f: { ok: boolean }) => !f.ok).map((f: { message: string }) => f.message)).toEqual([expect.stringContaining('no /headshot')]);
  });

  it('reports a bot missing from the server, with how to invite it', async () => {
    sim.control.removeFaceswapBot(accounts[1]!.guildId);
    const result = await runCli(['doctor', '--channel', accounts[1]!.channelId], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ bot: The InsightFaceSwap bot is not in server ${accounts[1]!.guildId}`);
    expect(result.stdout).toContain('Invite the bot to the server (application id 1090660574196674713), then save the account again.');
  });

  it('refuses a rules file with a bad entry as a configuration error (exit 78) naming it', async () => {
    const rules = path.join(dataDir, 'bad-rules.json');
    fs.writeFileSync(rules, JSON.stringify({ faceswap: { refusal: ['(unclosed'] } }));
    const result = await runCli(['doctor'], { ...env, SWITCHBOARD_BOT_RULES: rules });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/rules\.faceswap\.refusal\[\d+\]: is not a valid regular expression/);
  });
});
