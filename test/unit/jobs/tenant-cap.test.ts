/**
 * When the claim must count a tenant's active jobs exactly (src/jobs/tenant-cap.ts): always for a
 * small cap; otherwise only once a tenant's estimate — read at most once per interval, counted up
 * by this process's admissions — is within the margin of the cap.
 */
import { describe, expect, it } from 'vitest';
import { TenantCap } from '../../../src/jobs/tenant-cap.ts';
import type { Store } from '../../../src/store/index.ts';

function fakeStore(active: Record<string, number>) {
  const reads: string[] = [];
  let release: (() => void) | undefined;
  const store = {
    jobs: {
      countActiveForTenant: async (tenantId: string) => {
        reads.push(tenantId);
        if (release === undefined) return active[tenantId] ?? 0;
        await new Promise<void>((resolve) => (release = resolve));
        return active[tenantId] ?? 0;
      },
    },
  } as unknown as Store;
  return { store, reads, active, hold: () => (release = () => {}), release: () => release?.() };
}

describe('TenantCap', () => {
  it('always has a small cap checked, without reading anything', async () => {
    const { store, reads } = fakeStore({ t1: 0 });
    const cap = new TenantCap(3, store);
    expect(await cap.limitFor('t1')).toBe(3);
    expect(new TenantCap(50, store).margin).toBe(50);
    expect(await new TenantCap(50, store).limitFor('t1')).toBe(50);
    expect(reads).toEqual([]);
  });

  it('skips the count far below the cap and asks for it once admissions bring the tenant near', async () => {
    let now = 0;
    const { store, reads } = fakeStore({ t1: 340, t2: 0 });
    const cap = new TenantCap(500, store, { refreshMs: 1000, now: () => now });
    expect(cap.margin).toBe(100);
    expect(await cap.limitFor('t1')).toBeUndefined(); // 340 < 400
    for (let i = 0; i < 59; i++) cap.admitted('t1');
    expect(await cap.limitFor('t1')).toBeUndefined(); // 399
    cap.admitted('t1');
    expect(await cap.limitFor('t1')).toBe(500); // 400: near enough to count exactly
    expect(await cap.limitFor('t2')).toBeUndefined();
    expect(reads).toEqual(['t1', 't2']); // one read per tenant within the interval
  });

  it('reads again once the interval has passed: the store is the truth (jobs that ended count down)', async () => {
    let now = 0;
    const { store, reads, active } = fakeStore({ t1: 450 });
    const cap = new TenantCap(500, store, { refreshMs: 1000, now: () => now });
    expect(await cap.limitFor('t1')).toBe(500);
    active.t1 = 10; // jobs ended
    now = 999;
    expect(await cap.limitFor('t1')).toBe(500);
    now = 1000;
    expect(await cap.limitFor('t1')).toBeUndefined();
    expect(reads).toEqual(['t1', 't1']);
  });

  it('shares one read among concurrent submissions of a tenant', async () => {
    const fake = fakeStore({ t1: 5 });
    const cap = new TenantCap(10_000, fake.store);
    fake.hold();
    const answers = Promise.all([cap.limitFor('t1'), cap.limitFor('t1'), cap.limitFor('t1')]);
    await new Promise((resolve) => setImmediate(resolve));
    fake.release();
    expect(await answers).toEqual([undefined, undefined, undefined]);
    expect(fake.reads).toEqual(['t1']);
  });
});
