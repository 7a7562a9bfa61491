/** One contract, every store: the same cases run against real SQLite and real PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, UniqueViolation, type AccountInput, type Store } from '../../src/store/index.ts';
import { availableStoreKinds, freshDatabase, type TestStoreSetup } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s store', (kind) => {
  let setup: TestStoreSetup;
  let store: Store;
  const open = () => openStore(setup.config, setup.schema ? { schema: setup.schema } : {});

  beforeEach(async () => {
    setup = await freshDatabase(kind);
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await setup.cleanup();
  });

  const tenant = (id: string, name = id) => store.tenants.create({ id, name, tokenHash: `hash-${id}`, tokenHint: 'sb_xxxx…', createdAt: 1000 });
  const account = (overrides: Partial<AccountInput> = {}): AccountInput => ({
    id: `acc-${Math.random().toString(16).slice(2)}`,
    tenantId: 't1',
    bot: 'faceswap',
    channel: '100000000000000001',
    server: '200000000000000001',
    discordToken: 'v1:cipher',
    discordFingerprint: 'fp-1',
    maxJobs: null,
    now: 5000,
    ...overrides,
  });

  it('applies migrations once and opens again without error', async () => {
    const again = await open();
    await again.ping();
    await again.close();
  });

  it("keeps a tenant's alert URL and an account's default replyUrl, cleared by null and by a save without one", async () => {
    await tenant('t1');
    expect(await store.tenants.alertUrl('t1')).toBeNull();
    await store.tenants.setAlertUrl('t1', 'https://ops.example.com/a');
    expect(await store.tenants.alertUrl('t1')).toBe('https://ops.example.com/a');
    await store.tenants.setAlertUrl('t1', null);
    expect(await store.tenants.alertUrl('t1')).toBeNull();

    const saved = await store.accounts.upsert(account({ replyUrl: 'https://hooks.example.com/r' }));
    expect(saved.replyUrl).toBe('https://hooks.example.com/r');
    expect((await store.accounts.getById(saved.id))?.replyUrl).toBe('https://hooks.example.com/r');
    expect((await store.accounts.upsert(account({ now: 6000 }))).replyUrl).toBeNull();
  });

  it('lets two openers migrate the same fresh database at the same time', async () => {
    const other = await freshDatabase(kind);
    try {
      const opened = await Promise.all([1, 2, 3].map(() => openStore(other.config, other.schema ? { schema: other.schema } : {})));
      await Promise.all(opened.map((s) => s.close()));
    } finally {
      await other.cleanup();
    }
  });

  describe('tenants', () => {
    it('finds a tenant by token hash and returns the stored hash with it', async () => {
      await tenant('t1', 'alice');
      const found = await store.tenants.findByTokenHash('hash-t1');
      expect(found).toMatchObject({ id: 't1', name: 'alice', tokenHash: 'hash-t1', revokedAt: null, createdAt: 1000 });
      expect(await store.tenants.findByTokenHash('hash-unknown')).toBeUndefined();
    });

    it('refuses a second tenant with the same token hash', async () => {
      await tenant('t1');
      await expect(store.tenants.create({ id: 't2', name: 'b', tokenHash: 'hash-t1', tokenHint: 'x', createdAt: 1 })).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('revokes by id or by name, and a revoked token no longer authenticates', async () => {
      await tenant('t1', 'alice');
      await tenant('t2', 'bob');
      expect(await store.tenants.countActive()).toBe(2);
      expect((await store.tenants.revoke('bob', 9000)).map((t) => t.id)).toEqual(['t2']);
      expect((await store.tenants.revoke('t1', 9001)).map((t) => t.revokedAt)).toEqual([9001]);
      expect(await store.tenants.revoke('t1', 9002)).toEqual([]);
      expect(await store.tenants.findByTokenHash('hash-t1')).toBeUndefined();
      expect(await store.tenants.countActive()).toBe(0);
      expect((await store.tenants.list()).map((t) => [t.id, t.revokedAt])).toEqual([
        ['t1', 9001],
        ['t2', 9000],
      ]);
    });
  });

  describe('accounts', () => {
    beforeEach(async () => {
      await tenant('t1');
      await tenant('t2');
    });

    it('creates an account and reads it back with active health and no credits', async () => {
      const created = await store.accounts.upsert(account({ id: 'a1' }));
      expect(created).toMatchObject({ id: 'a1', tenantId: 't1', bot: 'faceswap', channel: '100000000000000001', server: '200000000000000001', credits: null, maxJobs: null });
      expect(created.health.state).toBe('active');
      expect(await store.accounts.get('t1', 'faceswap', '100000000000000001')).toEqual(created);
    });

    it('updates the same channel in place, keeping its id and creation time', async () => {
      await store.accounts.upsert(account({ id: 'a1', now: 5000 }));
      const updated = await store.accounts.upsert(account({ id: 'ignored', discordToken: 'v1:new', discordFingerprint: 'fp-2', now: 6000 }));
      expect(updated).toMatchObject({ id: 'a1', discordToken: 'v1:new', discordFingerprint: 'fp-2', createdAt: 5000, updatedAt: 6000 });
      expect(await store.accounts.list('t1', 'faceswap')).toHaveLength(1);
    });

    it('keeps tenants and bots apart', async () => {
      await store.accounts.upsert(account());
      await store.accounts.upsert(account({ tenantId: 't2', discordFingerprint: 'fp-t2' }));
      await store.accounts.upsert(account({ bot: 'pika', server: null, maxJobs: 3 }));
      expect(await store.accounts.list('t1', 'faceswap')).toHaveLength(1);
      expect(await store.accounts.list('t2', 'faceswap')).toHaveLength(1);
      expect((await store.accounts.list('t1', 'pika'))[0]).toMatchObject({ maxJobs: 3, server: null });
      expect(await store.accounts.get('t2', 'pika', '100000000000000001')).toBeUndefined();
    });

    it('keeps one Discord token in one row per bot: another tenant is refused for the same bot', async () => {
      await store.accounts.upsert(account());
      await expect(store.accounts.upsert(account({ tenantId: 't2' }))).rejects.toMatchObject({ field: 'discord' });
      await store.accounts.upsert(account({ bot: 'pika', server: null }));
      expect((await store.accounts.withFingerprint('fp-1')).map((a) => `${a.tenantId}/${a.bot}`).sort()).toEqual(['t1/faceswap', 't1/pika']);
    });

    it('rejects a second channel with the same token or server, naming the rule', async () => {
      await store.accounts.upsert(account());
      await expect(store.accounts.upsert(account({ channel: '100000000000000002', server: '200000000000000002' }))).rejects.toMatchObject({ field: 'discord' });
      await expect(store.accounts.upsert(account({ channel: '100000000000000002', discordFingerprint: 'fp-2' }))).rejects.toMatchObject({ field: 'server' });
    });

    it('tracks a channel a call brought itself as an unlisted account, until it is configured', async () => {
      const own = await store.accounts.ensureUnlisted(account({ id: 'own', bot: 'pika', server: null, maxJobs: 2 }));
      expect(own).toMatchObject({ id: 'own', listed: false, maxJobs: 2 });
      expect(await store.accounts.list('t1', 'pika')).toEqual([]);
      // The same call again refreshes the token and maxJobs of the unlisted row.
      expect(await store.accounts.ensureUnlisted(account({ id: 'other', bot: 'pika', server: null, maxJobs: 4, discordFingerprint: 'fp-9' }))).toMatchObject({ id: 'own', maxJobs: 4, discordFingerprint: 'fp-9' });
      // Configuring the channel lists it; later calls that bring a token leave it as configured.
      await store.accounts.upsert(account({ bot: 'pika', server: null, maxJobs: 5, discordFingerprint: 'fp-9' }));
      expect((await store.accounts.list('t1', 'pika')).map((a) => [a.id, a.listed, a.maxJobs])).toEqual([['own', true, 5]]);
      expect(await store.accounts.ensureUnlisted(account({ bot: 'pika', server: null, maxJobs: 1, discordFingerprint: 'fp-10' }))).toMatchObject({ listed: true, maxJobs: 5, discordFingerprint: 'fp-9' });
    });

    it('allows many pika accounts without a server', async () => {
      await store.accounts.upsert(account({ bot: 'pika', server: null }));
      await store.accounts.upsert(account({ bot: 'pika', server: null, channel: '100000000000000002', discordFingerprint: 'fp-2' }));
      expect(await store.accounts.list('t1', 'pika')).toHaveLength(2);
    });

    it('lists accounts in creation order', async () => {
      await store.accounts.upsert(account({ channel: '100000000000000009', now: 1 }));
      await store.accounts.upsert(account({ channel: '100000000000000003', server: '200000000000000003', discordFingerprint: 'fp-3', now: 2 }));
      expect((await store.accounts.list('t1', 'faceswap')).map((a) => a.channel)).toEqual(['100000000000000009', '100000000000000003']);
    });

    it('deletes an account once', async () => {
      await store.accounts.upsert(account());
      expect(await store.accounts.delete('t2', 'faceswap', '100000000000000001')).toBe(false);
      expect(await store.accounts.delete('t1', 'faceswap', '100000000000000001')).toBe(true);
      expect(await store.accounts.delete('t1', 'faceswap', '100000000000000001')).toBe(false);
    });

    it('stores credits and clears them', async () => {
      const { id } = await store.accounts.upsert(account());
      await store.accounts.setCredits(id, { timestamp: '2024-02-01T02:05:24.991000+00:00', total: 50, used: 18 }, 7000);
      expect((await store.accounts.get('t1', 'faceswap', '100000000000000001'))?.credits).toEqual({ timestamp: '2024-02-01T02:05:24.991000+00:00', total: 50, used: 18 });
      await store.accounts.setCredits(id, null, 7001);
      expect((await store.accounts.get('t1', 'faceswap', '100000000000000001'))?.credits).toBeNull();
    });

    it('stores what the bot reported about an account, keeps it over a re-save, and clears it', async () => {
      const { id } = await store.accounts.upsert(account());
      expect((await store.accounts.getById(id))?.reportedStatus).toBeNull();
      const status = { at: 7100, fields: { mode: 'relaxed', hours: 12.5, remix: false } };
      await store.accounts.setReportedStatus(id, status, 7100);
      expect((await store.accounts.get('t1', 'faceswap', '100000000000000001'))?.reportedStatus).toEqual(status);
      await store.accounts.upsert({ ...account(), maxJobs: 2, now: 7200 });
      expect((await store.accounts.getById(id))?.reportedStatus).toEqual(status);
      await store.accounts.setReportedStatus(id, null, 7300);
      expect((await store.accounts.getById(id))?.reportedStatus).toBeNull();
    });

    it('stores a health state with its reason and times', async () => {
      const { id } = await store.accounts.upsert(account());
      const health = { state: 'cooling_down' as const, reason: 'rate_limited', detail: 'retry after 60 s', failures: 2, since: 8000, until: 9000, nextProbeAt: 9000 };
      await store.accounts.setHealth(id, health, 8000);
      expect((await store.accounts.get('t1', 'faceswap', '100000000000000001'))?.health).toEqual(health);
    });
  });

  describe('meta', () => {
    it('keeps the first value written for a key', async () => {
      expect(await store.meta.get('k')).toBeUndefined();
      expect(await store.meta.setIfAbsent('k', 'first')).toBe('first');
      expect(await store.meta.setIfAbsent('k', 'second')).toBe('first');
      expect(await store.meta.get('k')).toBe('first');
    });
  });
});
