/**
 * The two reads every API call makes — a token's tenant and a bot's listed accounts — are kept in
 * memory between changes where the database can say when another process changed it
 * (`src/store/table-cache.ts`). On both stores: every read reflects every write made before it,
 * by this store or by another process's (a second store opened on the same database, as
 * `switchboard token revoke` would), and callers cannot change what the next caller reads.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { AccountRecord } from '../../src/store/index.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('cached reads, %s', (kind) => {
  const fresh = useFreshStore(kind);

  /** Another process on the same database. */
  async function otherProcess(): Promise<SqlStore> {
    const { setup } = fresh();
    return openStore(setup.config, setup.schema ? { schema: setup.schema } : {});
  }

  async function tenantWithAccounts(store: SqlStore, count: number): Promise<AccountRecord[]> {
    await store.tenants.create({ id: 'tnt_a', name: 'a', tokenHash: 'a'.repeat(64), tokenHint: 'sb_a…', createdAt: 1 });
    for (let i = 0; i < count; i++) {
      await store.accounts.upsert({ id: `acc_${i}`, tenantId: 'tnt_a', bot: 'pika', channel: `10${i}`, server: null, discordToken: 'sealed', discordFingerprint: `fp${i}`, maxJobs: 3, replyUrl: null, now: 10 + i });
    }
    return store.accounts.list('tnt_a', 'pika');
  }

  it("reflects this store's own writes to accounts at once", async () => {
    const { store } = fresh();
    expect(await tenantWithAccounts(store, 2)).toHaveLength(2);
    await store.accounts.setHealth('acc_0', { state: 'cooling_down', reason: 'r', detail: null, failures: 1, since: 5, until: 99, nextProbeAt: null }, 20);
    expect((await store.accounts.list('tnt_a', 'pika'))[0]!.health.state).toBe('cooling_down');
    await store.accounts.setCredits('acc_1', { timestamp: 't', used: 7, total: 10 }, 21);
    expect((await store.accounts.list('tnt_a', 'pika'))[1]!.credits).toMatchObject({ used: 7, total: 10 });
    await store.accounts.setQuarantine('acc_1', 500, 22);
    expect((await store.accounts.list('tnt_a', 'pika'))[1]!.quarantineUntil).toBe(500);
    await store.accounts.delete('tnt_a', 'pika', '100');
    expect((await store.accounts.list('tnt_a', 'pika')).map((a) => a.id)).toEqual(['acc_1']);
    await store.accounts.upsert({ id: 'acc_9', tenantId: 'tnt_a', bot: 'pika', channel: '109', server: null, discordToken: 'sealed', discordFingerprint: 'fp9', maxJobs: 1, replyUrl: null, now: 30 });
    expect((await store.accounts.list('tnt_a', 'pika')).map((a) => a.id)).toEqual(['acc_1', 'acc_9']);
  });

  it("reflects another process's writes on the next read: accounts changed, a token revoked", async () => {
    const { store } = fresh();
    await tenantWithAccounts(store, 2);
    expect((await store.tenants.findByTokenHash('a'.repeat(64)))?.id).toBe('tnt_a');
    expect((await store.accounts.list('tnt_a', 'pika'))[0]!.health.state).toBe('active');
    const other = await otherProcess();
    try {
      await other.accounts.setHealth('acc_0', { state: 'auth_failed', reason: '401', detail: null, failures: 1, since: 5, until: null, nextProbeAt: null }, 20);
      expect((await store.accounts.list('tnt_a', 'pika'))[0]!.health.state).toBe('auth_failed');
      expect(await other.tenants.revoke('tnt_a', 40)).toHaveLength(1);
      expect(await store.tenants.findByTokenHash('a'.repeat(64))).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it("does not let a caller change what the next caller reads", async () => {
    const { store } = fresh();
    const first = await tenantWithAccounts(store, 3);
    first.reverse();
    first.pop();
    expect((await store.accounts.list('tnt_a', 'pika')).map((a) => a.id)).toEqual(['acc_0', 'acc_1', 'acc_2']);
    const [account] = await store.accounts.list('tnt_a', 'pika');
    try {
      (account!.health as { state: string }).state = 'needs_human';
    } catch {
      // Frozen where the records are shared: the attempt throws.
    }
    expect((await store.accounts.list('tnt_a', 'pika'))[0]!.health.state).toBe('active');
  });
});
