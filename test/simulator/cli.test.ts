import { describe, expect, it } from 'vitest';
import { runSimulator as simulator } from '../../src/cli/commands/simulator.ts';

describe('switchboard simulator command', () => {
  it('prints its URLs and working demo credentials, then stops when told to', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    const running = simulator(['--port', '0', '--seed', '1', '--latency', '0'], io, stopped);
    await expect.poll(() => out.some((l) => l.startsWith('Press Ctrl+C'))).toBe(true);
    const apiUrl = /REST API\s+(\S+)/.exec(out.join('\n'))![1]!;
    const tokens = out.join('\n').match(/token (\S+)/g)!.map((t) => t.slice(6));
    expect(tokens).toHaveLength(3); // faceswap, pika and midjourney demo users
    // The same lines as before the table (docs/simulator.md shows them).
    expect(out).toContainEqual(expect.stringMatching(/^ {2}faceswap {2}user \d+ {2}server \d+ {2}channel \d+ {2}\(bot 1090660574196674713\)$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}pika {6}user \d+ {2}DM channel \d+ {2}\(bot \d+\)$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}midjourney user \d+ {2}DM channel \d+ {2}\(bot \d+\)$/));
    for (const token of tokens) expect((await fetch(`${apiUrl}/users/@me`, { headers: { authorization: token } })).status).toBe(200);
    stop();
    expect(await running).toBe(0);
    expect(out.at(-1)).toBe('simulator stopped');
  });

  it('rejects a non-numeric port as a usage error', async () => {
    await expect(simulator(['--port', 'abc'], { out: () => {}, err: () => {} }, Promise.resolve())).rejects.toMatchObject({ exitCode: 2 });
  });
});
