/** Migration 009 on every store: jobs read by parent (button children), and an account's default callback. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/store/index.ts';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s store, for buttons and default callbacks', (kind) => {
  const ctx = useFreshStore(kind);
  const store = () => ctx().store;

  const job = (jobid: string, overrides: Partial<NewJob> = {}): NewJob => ({
    jobid, tenantId: 't1', bot: 'midjourney', verb: 'midjourney-imagine', status: 'completed', accountId: 'a1', channel: '100000000000000001', server: null,
    discordMasked: '<abc…secured…xyz>', maxJobs: 3, request: {}, replyUrl: null, replyRef: null, messageId: null, content: null, timestamp: null, attachments: null,
    embeds: null, buttons: null, error: null, errorDetails: null, code: null, parentJobId: null, button: null, runnerState: {}, createdAt: 1000, deadlineAt: null, ...overrides,
  });

  beforeEach(async () => {
    await store().tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    await store().tenants.create({ id: 't2', name: 't2', tokenHash: 'h2', tokenHint: 'x', createdAt: 1 });
    await store().accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'midjourney', channel: '100000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f1', maxJobs: 3, now: 1 });
  });

  it('lists the jobs made from a job by its buttons, oldest first, for its tenant only', async () => {
    await store().jobs.insert(job('job:parent'), []);
    await store().jobs.insert(job('job:v1', { verb: 'midjourney-button', parentJobId: 'job:parent', button: 'V1', createdAt: 1002 }), []);
    await store().jobs.insert(job('job:u1', { verb: 'midjourney-button', parentJobId: 'job:parent', button: 'U1', createdAt: 1001 }), []);
    await store().jobs.insert(job('job:other', { verb: 'midjourney-button', parentJobId: 'job:elsewhere', button: 'U1', createdAt: 1003 }), []);
    expect((await store().jobs.listChildren('t1', 'job:parent')).map((j) => [j.jobid, j.button])).toEqual([['job:u1', 'U1'], ['job:v1', 'V1']]);
    expect(await store().jobs.listChildren('t2', 'job:parent')).toEqual([]);
    expect(await store().jobs.listChildren('t1', 'job:u1')).toEqual([]);
  });

  it('keeps an account’s default callback URL, and clears it when a save names none', async () => {
    expect((await store().accounts.get('t1', 'midjourney', '100000000000000001'))?.replyUrl).toBeNull();
    await store().accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'midjourney', channel: '100000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f1', maxJobs: 3, replyUrl: 'https://example.com/hook', now: 2 });
    expect((await store().accounts.get('t1', 'midjourney', '100000000000000001'))?.replyUrl).toBe('https://example.com/hook');
    await store().accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'midjourney', channel: '100000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f1', maxJobs: 3, now: 3 });
    expect((await store().accounts.get('t1', 'midjourney', '100000000000000001'))?.replyUrl).toBeNull();
  });
});
