/** The webhook outbox's leases and attempt log, on every store. */
import { beforeEach, describe, expect, it } from 'vitest';
import { availableStoreKinds, useFreshStore } from '../support/stores.ts';

const kinds = await availableStoreKinds();

describe.each(kinds)('the %s outbox', (kind) => {
  const ctx = useFreshStore(kind);
  const store = () => ctx().store;

  /** Ends a job with a webhook, which is how rows enter the outbox. */
  async function enqueue(jobid: string, at: number) {
    await store().jobs.insert(
      {
        jobid, tenantId: 't1', bot: 'pika', verb: 'pika-create', status: 'started', accountId: null, channel: '1', server: null,
        discordMasked: 'x', maxJobs: null, request: {}, replyUrl: 'https://example.com/h', replyRef: null, messageId: null, content: null,
        timestamp: null, attachments: null, embeds: null, buttons: null, error: null, errorDetails: null, code: null, parentJobId: null,
        button: null, runnerState: {}, createdAt: at, deadlineAt: null,
      },
      [],
    );
    await store().jobs.update(jobid, ['started'], { status: 'completed' }, at, { url: 'https://example.com/h', render: (j) => ({ jobid: j.jobid }) });
  }

  beforeEach(async () => {
    await store().tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
  });

  it('leases a due row to one owner at a time', async () => {
    await enqueue('job:1', 1000);
    const [a, b] = await Promise.all([store().outbox.claimDue(1000, 10, 'A', 2000), store().outbox.claimDue(1000, 10, 'B', 2000)]);
    expect(a.length + b.length).toBe(1);
    expect(await store().outbox.claimDue(1500, 10, 'C', 2500)).toEqual([]);
    // The lease runs out (e.g. its owner crashed): another owner picks the row up.
    expect((await store().outbox.claimDue(2001, 10, 'C', 3000)).map((r) => r.jobId)).toEqual(['job:1']);
  });

  it('does not hand out rows before they are due', async () => {
    await enqueue('job:1', 5000);
    expect(await store().outbox.claimDue(4999, 10, 'A', 9000)).toEqual([]);
    expect(await store().outbox.nextDueAt()).toBe(5000);
  });

  it('records attempts, reschedules retries and ends on delivery', async () => {
    await enqueue('job:1', 1000);
    const [row] = await store().outbox.claimDue(1000, 10, 'A', 2000);
    await store().outbox.recordAttempt(row!.id, { attempt: 1, startedAt: 1000, durationMs: 12, statusCode: 503, error: null }, { kind: 'retry', at: 3000 });
    expect(await store().outbox.claimDue(2500, 10, 'A', 4000)).toEqual([]);
    const [again] = await store().outbox.claimDue(3000, 10, 'A', 4000);
    expect(again).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });
    await store().outbox.recordAttempt(again!.id, { attempt: 2, startedAt: 3000, durationMs: 5, statusCode: 200, error: null }, { kind: 'delivered' });
    const [final] = await store().outbox.forJob('t1', 'job:1');
    expect(final).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: 3005, lastError: null });
    expect(final!.deliveries.map((d) => d.statusCode)).toEqual([503, 200]);
    expect(await store().outbox.countPending()).toBe(0);
    expect(await store().outbox.nextDueAt()).toBeUndefined();
  });

  it('gives up when told to, keeping the last error', async () => {
    await enqueue('job:1', 1000);
    const [row] = await store().outbox.claimDue(1000, 10, 'A', 2000);
    await store().outbox.recordAttempt(row!.id, { attempt: 1, startedAt: 1000, durationMs: 1, statusCode: null, error: 'ECONNREFUSED' }, { kind: 'failed' });
    expect((await store().outbox.forJob('t1', 'job:1'))[0]).toMatchObject({ status: 'failed', lastError: 'ECONNREFUSED' });
  });

  it('queues events that are not job webhooks, lists them per tenant newest first, and redelivers only finished rows', async () => {
    await store().tenants.create({ id: 't2', name: 't2', tokenHash: 'h2', tokenHint: 'y', createdAt: 1 });
    const first = await store().outbox.enqueue({ tenantId: 't1', eventType: 'account.health_changed', url: 'https://example.com/a', payload: '{"n":1}' }, 1000);
    await store().outbox.enqueue({ tenantId: 't1', eventType: 'account.health_changed', url: 'https://example.com/a', payload: '{"n":2}' }, 2000);
    expect(first).toMatchObject({ jobId: '', eventType: 'account.health_changed', status: 'pending', attempts: 0 });
    expect((await store().outbox.recent('t1', 'account.health_changed', 10)).map((r) => r.payload)).toEqual(['{"n":2}', '{"n":1}']);
    expect(await store().outbox.recent('t2', 'account.health_changed', 10)).toEqual([]);

    expect(await store().outbox.redeliver('t1', first.id, 3000)).toBe('pending');
    const claimed = await store().outbox.claimDue(3000, 10, 'A', 4000);
    expect(claimed.map((r) => r.eventType)).toEqual(['account.health_changed', 'account.health_changed']);
    await store().outbox.recordAttempt(first.id, { attempt: 1, startedAt: 3000, durationMs: 1, statusCode: 500, error: null }, { kind: 'failed' });
    expect(await store().outbox.redeliver('t2', first.id, 5000)).toBeUndefined(); // another tenant's row
    expect(await store().outbox.redeliver('t1', 'whk_missing', 5000)).toBeUndefined();
    // Due at once, while the other row is still leased (until 4000).
    expect(await store().outbox.redeliver('t1', first.id, 3500)).toMatchObject({ id: first.id, status: 'pending', attempts: 1, nextAttemptAt: 3500 });
    expect((await store().outbox.claimDue(3500, 10, 'B', 6000)).map((r) => r.id)).toEqual([first.id]);
  });

  it('creates one webhook secret per tenant even when asked concurrently', async () => {
    let made = 0;
    const secrets = await Promise.all([1, 2, 3].map(() => store().tenants.webhookSecret('t1', () => `secret-${++made}`)));
    expect(new Set(secrets).size).toBe(1);
    expect(await store().tenants.webhookSecret('t1', () => 'never')).toBe(secrets[0]);
  });
});
