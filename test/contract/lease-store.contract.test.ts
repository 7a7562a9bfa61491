/** Account leases and instance heartbeats, on every store. */
import { beforeEach, describe, expect, it } from 'vitest';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s lease store', (kind) => {
  const ctx = useFreshStore(kind);
  const leases = () => ctx().store.leases;

  beforeEach(async () => {
    const store = ctx().store;
    await store.tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    for (let i = 0; i < 6; i++) {
      await store.accounts.upsert({ id: `a${i}`, tenantId: 't1', bot: 'pika', channel: `10000000000000000${i}`, server: null, discordToken: 'x', discordFingerprint: `f${i}`, maxJobs: 1, now: 1 });
    }
  });

  it('hands each free account to exactly one of several instances claiming at once', async () => {
    const claims = await Promise.all(['A', 'B', 'C'].map((id) => leases().claim(id, 6, 1000, 2000)));
    const all = claims.flat();
    expect(all.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(new Set(all).size).toBe(6);
  });

  it('renews only unexpired leases of the instance, and expired ones become claimable', async () => {
    expect((await leases().claim('A', 2, 1000, 2000)).length).toBe(2);
    expect((await leases().renew('A', 1500, 2500)).length).toBe(2);
    expect(await leases().claim('B', 6, 1600, 2600)).toHaveLength(4);
    // A stops renewing: after 2500 its two accounts are free again.
    expect(await leases().claim('B', 6, 2400, 3400)).toEqual([]);
    expect(await leases().claim('B', 6, 2501, 3500)).toHaveLength(2);
    expect(await leases().renew('A', 2600, 3600)).toEqual([]);
  });

  it('counts live instances by heartbeat, and leaving frees the leases at once', async () => {
    await leases().heartbeat('A', 1000);
    await leases().heartbeat('B', 1000);
    await leases().heartbeat('A', 5000);
    expect(await leases().countLive(2000)).toBe(1);
    await leases().claim('A', 3, 5000, 9000);
    await leases().leave('A');
    expect(await leases().countLive(0)).toBe(1);
    expect(await leases().claim('B', 6, 5001, 9001)).toHaveLength(6);
    expect(await leases().countAccounts()).toBe(6);
  });

  it('releases chosen leases only for their owner', async () => {
    const mine = await leases().claim('A', 2, 1000, 9000);
    await leases().release('B', mine);
    expect(await leases().claim('B', 6, 1001, 9001)).toHaveLength(4);
    await leases().release('A', [mine[0]!]);
    expect(await leases().claim('B', 6, 1002, 9002)).toEqual([mine[0]]);
  });
});
