import { describe, expect, it } from 'vitest';
import { PollLoop } from '../../src/shared/poll-loop.ts';
import { waitUntil } from '../support/wait.ts';

describe('the poll loop', () => {
  it('runs a round at start, coalesces kicks during a round into one more, and never overlaps rounds', async () => {
    let active = 0;
    let maxActive = 0;
    let rounds = 0;
    let release: (() => void) | undefined;
    const loop = new PollLoop(
      async () => {
        rounds++;
        maxActive = Math.max(maxActive, ++active);
        if (rounds === 1) await new Promise<void>((r) => (release = r));
        active--;
      },
      60_000,
      () => {},
    );
    const first = loop.start();
    loop.kick();
    loop.kick();
    release!();
    await first;
    await waitUntil(() => rounds === 2);
    expect(maxActive).toBe(1);
    await loop.stop();
    expect(rounds).toBe(2);
  });

  it('reports a failing round, keeps polling, and stops for good', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollLoop(
      async () => {
        if (++rounds === 1) throw new Error('boom');
      },
      5,
      (error) => errors.push(error),
    );
    await loop.start();
    await waitUntil(() => rounds >= 3);
    await loop.stop();
    expect(errors).toHaveLength(1);
    const after = rounds;
    loop.kick();
    expect(loop.stopped).toBe(true);
    expect(rounds).toBe(after);
  });
});
