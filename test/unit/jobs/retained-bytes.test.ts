/** A tenant's retained bytes are read from the store once per interval and counted up in between. */
import { describe, expect, it } from 'vitest';
import { RetainedBytes } from '../../../src/jobs/index.ts';
import type { Store } from '../../../src/store/index.ts';

function fakeStore(bytes: Record<string, number>) {
  const reads: string[] = [];
  const store = { jobs: { resultBytes: async (tenantId: string) => (reads.push(tenantId), bytes[tenantId] ?? 0) } } as unknown as Store;
  return { store, reads };
}

describe('RetainedBytes', () => {
  it('reads each tenant once per interval and adds what this process keeps', async () => {
    let now = 0;
    const { store, reads } = fakeStore({ t1: 100, t2: 5 });
    const usage = new RetainedBytes(store, 60_000, () => now);
    expect(await usage.of('t1')).toBe(100);
    usage.add('t1', 50);
    usage.add('t3', 7); // never read: nothing to add to, the first read will see it in the store
    expect(await usage.of('t1')).toBe(150);
    expect(await usage.of('t2')).toBe(5);
    expect(reads).toEqual(['t1', 't2']);
    now = 60_000; // the store is the truth again once the interval has passed
    expect(await usage.of('t1')).toBe(100);
    expect(reads).toEqual(['t1', 't2', 't1']);
  });
});
