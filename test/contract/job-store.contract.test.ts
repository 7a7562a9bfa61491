/** Jobs, capacity claims, queueing and the transactional outbox, on every store. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/store/index.ts';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s job store', (kind) => {
  const ctx = useFreshStore(kind);
  const store = () => ctx().store;
  let seq = 0;

  const newJob = (overrides: Partial<NewJob> = {}): NewJob => {
    seq++;
    return {
      jobid: `job:${String(seq).padStart(4, '0')}`,
      tenantId: 't1',
      bot: 'pika',
      verb: 'pika-create',
      status: 'created',
      accountId: 'a1',
      channel: '100000000000000001',
      server: null,
      discordMasked: '<abc…secured…xyz>',
      maxJobs: 2,
      request: { prompt: 'a cat' },
      replyUrl: null,
      replyRef: 'ref-1',
      messageId: null,
      content: null,
      timestamp: null,
      attachments: null,
      embeds: null,
      buttons: null,
      error: null,
      errorDetails: null,
      code: null,
      parentJobId: null,
      button: null,
      runnerState: {},
      createdAt: 1000 + seq,
      deadlineAt: null,
      ...overrides,
    };
  };

  beforeEach(async () => {
    await store().tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
    await store().tenants.create({ id: 't2', name: 't2', tokenHash: 'h2', tokenHint: 'x', createdAt: 1 });
    await store().accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'pika', channel: '100000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f1', maxJobs: 2, now: 1 });
  });

  it('inserts a job with its files and reads both back, only for its tenant', async () => {
    const inserted = await store().jobs.insert(newJob({ request: { prompt: 'a cat', image: { size: 3, type: 'image/png' } } }), [
      { field: 'image', filename: 'a.png', contentType: 'image/png', data: Buffer.from([1, 2, 3]) },
    ]);
    expect(inserted.ok).toBe(true);
    const job = await store().jobs.get('t1', 'job:0001');
    expect(job).toMatchObject({ status: 'created', request: { prompt: 'a cat', image: { size: 3, type: 'image/png' } }, replyRef: 'ref-1', runnerState: {} });
    expect(await store().jobs.get('t2', 'job:0001')).toBeUndefined();
    const files = await store().jobs.files('job:0001');
    expect(files).toHaveLength(1);
    expect([...files[0]!.data]).toEqual([1, 2, 3]);
  });

  it('refuses a duplicate job id', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:same' }), []);
    await expect(store().jobs.insert(newJob({ jobid: 'job:same' }), [])).rejects.toMatchObject({ field: 'jobid' });
  });

  it('claims at most `limit` slots even when many inserts race, and names the executing jobs', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store().jobs.insert(newJob(), [], { accountId: 'a1', limit: 2 })));
    const accepted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(6);
    const acceptedIds = accepted.map((r) => (r.ok ? r.job.jobid : '')).sort();
    for (const r of refused) expect(!r.ok && [...r.executing].sort()).toEqual(acceptedIds);
  });

  it('gives racing claims with a queue exactly `limit` slots and `queueLimit` queue places', async () => {
    const results = await Promise.all(Array.from({ length: 9 }, () => store().jobs.insert(newJob(), [], { accountId: 'a1', limit: 2, queueLimit: 3 })));
    const jobs = results.flatMap((r) => (r.ok ? [r.job] : []));
    expect(jobs.filter((j) => j.holdsSlot && !j.queued)).toHaveLength(2);
    expect(jobs.filter((j) => j.queued && !j.holdsSlot)).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.reason === 'queue_full')).toHaveLength(4);
    expect(await store().jobs.queuedCounts(['a1'])).toEqual(new Map([['a1', 3]]));
    expect((await store().jobs.slotsInUse()).find((s) => s.accountId === 'a1')?.count).toBe(2);
  });

  it('refuses a claim over the tenant cap on active jobs, counting every bot and only that tenant', async () => {
    await store().accounts.upsert({ id: 'a2', tenantId: 't1', bot: 'faceswap', channel: '100000000000000002', server: null, discordToken: 'y', discordFingerprint: 'f2', maxJobs: 1, now: 1 });
    await store().accounts.upsert({ id: 'a3', tenantId: 't2', bot: 'pika', channel: '100000000000000003', server: null, discordToken: 'z', discordFingerprint: 'f3', maxJobs: 1, now: 1 });
    const capped = (accountId: string) => ({ accountId, limit: 5, queueLimit: 5, tenantLimit: 2 });
    expect((await store().jobs.insert(newJob(), [], capped('a1'))).ok).toBe(true);
    const other = await store().jobs.insert(newJob({ bot: 'faceswap', accountId: 'a2' }), [], capped('a2'));
    expect(other.ok).toBe(true);
    expect(await store().jobs.insert(newJob(), [], capped('a1'))).toMatchObject({ ok: false, reason: 'tenant_limit' });
    expect((await store().jobs.insert(newJob({ tenantId: 't2', accountId: 'a3' }), [], capped('a3'))).ok).toBe(true);
    await store().jobs.update(other.ok ? other.job.jobid : '', ['created'], { status: 'completed' }, 2000);
    expect((await store().jobs.insert(newJob(), [], capped('a1'))).ok).toBe(true);
  });

  it('claims a slot and stores the input files together', async () => {
    const file = { field: 'image', filename: 'a.png', contentType: 'image/png', data: Buffer.from([9]) };
    const first = await store().jobs.insert(newJob(), [file], { accountId: 'a1', limit: 1 });
    const second = await store().jobs.insert(newJob(), [file], { accountId: 'a1', limit: 1 });
    expect(first).toMatchObject({ ok: true, job: { holdsSlot: true } });
    expect(second).toMatchObject({ ok: false, reason: 'full' });
    expect(await store().jobs.files(first.ok ? first.job.jobid : '')).toHaveLength(1);
  });

  it('frees a slot when a job ends', async () => {
    const first = await store().jobs.insert(newJob(), [], { accountId: 'a1', limit: 1 });
    expect((await store().jobs.insert(newJob(), [], { accountId: 'a1', limit: 1 })).ok).toBe(false);
    await store().jobs.update(first.ok ? first.job.jobid : '', ['created'], { status: 'completed' }, 2000);
    expect((await store().jobs.insert(newJob(), [], { accountId: 'a1', limit: 1 })).ok).toBe(true);
  });

  it('queues FIFO when slots are taken, bounds the queue, and promotes in order', async () => {
    const claim = { accountId: 'a1', limit: 1, queueLimit: 2 };
    const running = await store().jobs.insert(newJob(), [], claim);
    const q1 = await store().jobs.insert(newJob(), [], claim);
    const q2 = await store().jobs.insert(newJob(), [], claim);
    const q3 = await store().jobs.insert(newJob(), [], claim);
    expect(running).toMatchObject({ ok: true, job: { queued: false, holdsSlot: true } });
    // The claim itself counts the jobs ahead of a queued one.
    expect(q1).toMatchObject({ ok: true, job: { queued: true, holdsSlot: false, jobsAhead: 0 } });
    expect(q2).toMatchObject({ ok: true, job: { queued: true, holdsSlot: false, jobsAhead: 1 } });
    expect(running.ok && running.job.jobsAhead).toBeUndefined();
    expect(q3).toMatchObject({ ok: false, reason: 'queue_full' });
    expect(!q3.ok && q3.executing).toEqual([running.ok ? running.job.jobid : '']);
    const q2job = q2.ok ? q2.job : undefined;
    expect(await store().jobs.queuePosition(q1.ok ? q1.job : q2job!)).toBe(0);
    expect(await store().jobs.queuedCounts(['a1', 'nobody'])).toEqual(new Map([['a1', 2]]));
    expect(await store().jobs.queuePosition(q2job!)).toBe(1);

    expect(await store().jobs.promoteQueued('a1', 1, 3000)).toEqual([]);
    await store().jobs.update(running.ok ? running.job.jobid : '', ['created'], { status: 'completed' }, 3000);
    const promoted = await store().jobs.promoteQueued('a1', 1, 3001);
    expect(promoted.map((j) => j.jobid)).toEqual([q1.ok ? q1.job.jobid : '']);
    expect(promoted[0]!.queued).toBe(false);
    expect(await store().jobs.queuePosition((await store().jobs.getById(q2job!.jobid))!)).toBe(0);
  });

  it('lets a cancelled job keep its slot until it is released, and reports it overdue meanwhile', async () => {
    const claim = { accountId: 'a1', limit: 1 };
    const first = await store().jobs.insert(newJob({ deadlineAt: 4000 }), [], claim);
    const jobid = first.ok ? first.job.jobid : '';
    expect(first).toMatchObject({ ok: true, job: { holdsSlot: true } });
    await store().jobs.update(jobid, ['created'], { status: 'cancelled', holdsSlot: true }, 2000);
    expect(await store().jobs.insert(newJob(), [], claim)).toMatchObject({ ok: false, executing: [jobid] });
    expect((await store().jobs.listOverdue(5000)).map((j) => j.jobid)).toEqual([jobid]);
    expect(await store().jobs.releaseSlot(jobid, 5000)).toBe(true);
    expect(await store().jobs.releaseSlot(jobid, 5001)).toBe(false);
    expect(await store().jobs.listOverdue(5000)).toEqual([]);
    expect((await store().jobs.insert(newJob(), [], claim)).ok).toBe(true);
  });

  it('updates only from the expected statuses (compare-and-set)', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:cas' }), []);
    const cancelled = await store().jobs.update('job:cas', ['created', 'started', 'progress'], { status: 'cancelled' }, 2000);
    expect(cancelled).toMatchObject({ status: 'cancelled', finishedAt: 2000 });
    expect(await store().jobs.update('job:cas', ['created', 'started', 'progress'], { status: 'completed' }, 2001)).toBeUndefined();
    expect((await store().jobs.getById('job:cas'))?.status).toBe('cancelled');
  });

  it('stores result fields and runner state as JSON', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:res' }), []);
    const attachments = [{ id: '1', url: 'https://cdn/x.mp4', content_type: 'video/mp4' }];
    const updated = await store().jobs.update('job:res', ['created'], { status: 'progress', messageId: '9', content: 'Prompt: a cat', timestamp: '2024-01-01T00:00:00.000000+00:00', attachments, buttons: ['retry'], runnerState: { nonce: '123' } }, 2000);
    expect(updated).toMatchObject({ status: 'progress', messageId: '9', attachments, buttons: ['retry'], runnerState: { nonce: '123' }, timestamp: '2024-01-01T00:00:00.000000+00:00' });
  });

  it('enqueues the webhook in the same update that ends the job, and drops input files', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:hook' }), [{ field: 'image', filename: 'a.png', contentType: 'image/png', data: Buffer.from('x') }]);
    await store().jobs.update('job:hook', ['created'], { status: 'completed' }, 2000, { url: 'https://example.com/hook', render: (job) => ({ jobid: job.jobid, status: job.status }) });
    const rows = await store().outbox.forJob('t1', 'job:hook');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.payload)).toEqual({ jobid: 'job:hook', status: 'completed' });
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 0, url: 'https://example.com/hook', nextAttemptAt: 2000 });
    expect(await store().jobs.files('job:hook')).toEqual([]);
  });

  it('lists active jobs per tenant, per account, and overdue ones', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:a', deadlineAt: 5000 }), []);
    await store().jobs.insert(newJob({ jobid: 'job:b', deadlineAt: 9000 }), []);
    await store().jobs.insert(newJob({ jobid: 'job:c', tenantId: 't2' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:d' }), []);
    await store().jobs.update('job:d', ['created'], { status: 'failed' }, 2000);
    expect(await store().jobs.listActive('t1', 'pika')).toEqual(['job:a', 'job:b']);
    expect(await store().jobs.listActive('t1', 'faceswap')).toEqual([]);
    expect((await store().jobs.listActiveForAccounts(['a1'])).map((j) => j.jobid)).toEqual(['job:a', 'job:b', 'job:c']);
    expect((await store().jobs.listOverdue(6000)).map((j) => j.jobid)).toEqual(['job:a']);
    // Without capacity claims none of them holds a slot, so none is runnable.
    expect(await store().jobs.listRunnable(['a1'])).toEqual([]);
    const claimed = await store().jobs.insert(newJob({ jobid: 'job:e' }), [], { accountId: 'a1', limit: 5 });
    expect(claimed.ok).toBe(true);
    expect((await store().jobs.listRunnable(['a1'])).map((j) => j.jobid)).toEqual(['job:e']);
  });

  it('lists recent jobs newest first, filtered by tenant, bot and status, up to a limit', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:r1' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:r2', bot: 'faceswap', verb: 'faceswap-saveid' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:r3', tenantId: 't2' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:r4' }), []);
    await store().jobs.update('job:r4', ['created'], { status: 'failed', error: 'boom' }, 5000);
    const ids = (jobs: { jobid: string }[]) => jobs.map((j) => j.jobid);
    expect(ids(await store().jobs.listRecent({ tenantId: 't1', limit: 10 }))).toEqual(['job:r4', 'job:r2', 'job:r1']);
    expect(ids(await store().jobs.listRecent({ tenantId: 't1', limit: 2 }))).toEqual(['job:r4', 'job:r2']);
    expect(ids(await store().jobs.listRecent({ tenantId: 't1', bot: 'pika', limit: 10 }))).toEqual(['job:r4', 'job:r1']);
    expect(ids(await store().jobs.listRecent({ tenantId: 't1', statuses: ['failed', 'moderated'], limit: 10 }))).toEqual(['job:r4']);
    expect(ids(await store().jobs.listRecent({ tenantId: 't1', statuses: [], limit: 10 }))).toEqual([]);
    expect(ids(await store().jobs.listRecent({ limit: 10 }))).toEqual(['job:r4', 'job:r3', 'job:r2', 'job:r1']);
    expect((await store().jobs.listRecent({ tenantId: 't1', statuses: ['failed'], limit: 1 }))[0]).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('purges finished jobs older than the retention cut-off only', async () => {
    await store().jobs.insert(newJob({ jobid: 'job:old' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:new' }), []);
    await store().jobs.insert(newJob({ jobid: 'job:live' }), []);
    await store().jobs.update('job:old', ['created'], { status: 'completed' }, 1000);
    await store().jobs.update('job:new', ['created'], { status: 'completed' }, 5000);
    expect(await store().jobs.purgeFinished(2000)).toBe(1);
    expect(await store().jobs.getById('job:old')).toBeUndefined();
    expect(await store().jobs.getById('job:new')).toBeDefined();
    expect(await store().jobs.getById('job:live')).toBeDefined();
  });
});
