/**
 * Migration 010 on every store: a child's once-per-parent key (Midjourney's U1–U4) is held by at
 * most one live or completed child of a parent — enforced by the database, so it holds for
 * simultaneous inserts through separate connections (as several switchboard processes sharing
 * one database make them), and a child that ended without a result frees the key.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, UniqueViolation, type NewJob } from '../../src/store/index.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s store, once per parent', (kind) => {
  const ctx = useFreshStore(kind);
  const store = () => ctx().store;
  const others: SqlStore[] = [];
  afterEach(async () => {
    await Promise.all(others.splice(0).map((s) => s.close()));
  });

  const job = (jobid: string, overrides: Partial<NewJob> = {}): NewJob => ({
    jobid, tenantId: 't1', bot: 'midjourney', verb: 'midjourney-button', status: 'created', accountId: 'a1', channel: '100000000000000001', server: null,
    discordMasked: '<abc…secured…xyz>', maxJobs: 3, request: {}, replyUrl: null, replyRef: null, messageId: null, content: null, timestamp: null, attachments: null,
    embeds: null, buttons: null, error: null, errorDetails: null, code: null, parentJobId: 'job:grid', button: 'U1', runnerState: {}, createdAt: 1000, deadlineAt: null, ...overrides,
  });
  const refused = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolation);
    expect((error as UniqueViolation).field).toBe('once');
  };

  beforeEach(async () => {
    await store().tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    await store().accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'midjourney', channel: '100000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f1', maxJobs: 3, now: 1 });
    await store().jobs.insert(job('job:grid', { verb: 'midjourney-imagine', status: 'completed', parentJobId: null, button: null }), []);
  });

  it('refuses a second child with the same key on the same parent, and nothing else', async () => {
    expect((await store().jobs.insert(job('job:u1', { onceKey: 'U1' }), [])).ok).toBe(true);
    await refused(store().jobs.insert(job('job:u1-again', { onceKey: 'U1' }), []));
    // …also when the insert claims a slot (the path submissions take).
    await refused(store().jobs.insert(job('job:u1-claim', { onceKey: 'U1' }), [], { accountId: 'a1', limit: 5 }));
    expect((await store().jobs.insert(job('job:u2', { button: 'U2', onceKey: 'U2' }), [])).ok).toBe(true);
    // Children without a key (V1, 🔄 …) repeat freely; the same key on another parent is another slot.
    expect((await store().jobs.insert(job('job:v1a', { button: 'V1' }), [])).ok).toBe(true);
    expect((await store().jobs.insert(job('job:v1b', { button: 'V1', onceKey: null }), [])).ok).toBe(true);
    expect((await store().jobs.insert(job('job:other-u1', { parentJobId: 'job:other', onceKey: 'U1' }), [])).ok).toBe(true);
    expect((await store().jobs.listChildren('t1', 'job:grid')).map((j) => j.jobid).sort()).toEqual(['job:u1', 'job:u2', 'job:v1a', 'job:v1b']);
  });

  it('frees the key when the child ends failed, moderated or cancelled, and holds it when it completes', async () => {
    let n = 0;
    for (const ending of ['failed', 'moderated', 'cancelled'] as const) {
      const id = `job:try${n++}`;
      expect((await store().jobs.insert(job(id, { onceKey: 'U3' }), [])).ok).toBe(true);
      await refused(store().jobs.insert(job(`job:blocked${n}`, { onceKey: 'U3' }), []));
      expect(await store().jobs.update(id, ['created'], { status: 'started' }, 2000)).toBeDefined();
      await refused(store().jobs.insert(job(`job:blocked-started${n}`, { onceKey: 'U3' }), []));
      expect(await store().jobs.update(id, ['started'], { status: ending, finishedAt: 2001 }, 2001)).toBeDefined();
    }
    expect((await store().jobs.insert(job('job:done', { onceKey: 'U3' }), [])).ok).toBe(true);
    expect(await store().jobs.update('job:done', ['created'], { status: 'completed', finishedAt: 3000 }, 3000)).toBeDefined();
    await refused(store().jobs.insert(job('job:after-done', { onceKey: 'U3' }), []));
  });

  it('lets exactly one of many simultaneous inserts through separate connections take the key', async () => {
    const { setup } = ctx();
    // A second store on the same database: its own connection (SQLite) or pool (PostgreSQL), as another process has.
    const second = await openStore(setup.config, setup.schema ? { schema: setup.schema } : {});
    others.push(second);
    const stores = [store(), second];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => stores[i % 2]!.jobs.insert(job(`job:race${i}`, { onceKey: 'U4', createdAt: 1000 + i }), [], { accountId: 'a1', limit: 20 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled' && r.value.ok);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect((r.reason as UniqueViolation).field).toBe('once');
    expect(await second.jobs.listChildren('t1', 'job:grid')).toHaveLength(1);
  });
});
