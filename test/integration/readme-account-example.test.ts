/**
 * The README's account example (the curl commands under "Examples from the useapi.net
 * documentation") runs as printed against switchboard and the simulated Discord, with accounts
 * verified on save. Only the example values are replaced: the placeholder ids by the simulated
 * server's and channels' ids, `<Discord token>` by the simulated user's token, `$SB`/`$TOKEN` by
 * the environment the README's `export` line sets. The printed output comment must match too.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

const run = promisify(execFile);
const README = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

interface Step {
  command: string;
  /** The `# {…}` line printed after the command, if any: its expected output. */
  output?: string;
}

function exampleSteps(): Step[] {
  const start = README.indexOf('### Examples from the useapi.net documentation');
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(start))![1]!;
  const lines = block.replace(/\\\n\s*/g, '').split('\n');
  const steps: Step[] = [];
  for (const line of lines) {
    if (line.startsWith('curl ')) steps.push({ command: line });
    else if (/^# [{[]/.test(line) && steps.length > 0) steps.at(-1)!.output = line.slice(2);
  }
  return steps;
}

describe("the README's account example", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('configures, lists and removes accounts as printed, verified against the simulated Discord', async () => {
    const steps = exampleSteps();
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(README).toMatch(/export SB=http:\/\/127\.0\.0\.1:8080 TOKEN=sb_…/);
    const faceswap = h.sim.control.createFaceswapAccount();
    const pika = h.sim.control.createPikaAccount();
    const substitute = (text: string, bot: 'faceswap' | 'pika') =>
      text
        .replaceAll('1100000000000000001', faceswap.channelId)
        .replaceAll('1200000000000000001', faceswap.guildId)
        .replaceAll('1300000000000000001', pika.channelId)
        .replaceAll('<Discord token>', bot === 'pika' ? pika.user.token : faceswap.user.token);

    for (const step of steps) {
      const bot = step.command.includes('/v1/pika/') ? 'pika' : 'faceswap';
      const command = `${substitute(step.command, bot)} -sS -w '\\n%{http_code}'`;
      const { stdout } = await run('sh', ['-c', command], { env: { ...process.env, SB: h.url, TOKEN: h.token }, timeout: 60_000 });
      const status = Number(stdout.trim().split('\n').at(-1));
      const body = stdout.trim().split('\n').slice(0, -1).join('\n');
      expect(status, `${step.command}\n${body}`).toBeLessThan(300);
      if (step.output) expect(JSON.parse(body)).toEqual(JSON.parse(substitute(step.output, bot)));
    }

    // The accounts really were verified and saved: faceswap stays, Pika was deleted at the end.
    const accounts = await h.services.store.accounts.listAll();
    expect(accounts.map((a) => [a.bot, a.channel, a.health.state])).toEqual([['faceswap', faceswap.channelId, 'active']]);
  });
});
