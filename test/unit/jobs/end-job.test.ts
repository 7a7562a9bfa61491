/**
 * The one way a job ends (jobs/end-job.ts): whatever races to end a job — the bot's result, a
 * cancel, the deadline — exactly one ending is written, one webhook enqueued, one event emitted.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { endJob, failure, JobEvents, type JobEnding } from '../../../src/jobs/index.ts';
import { registry } from '../../../src/providers/index.ts';
import type { JobRecord, NewJob } from '../../../src/store/index.ts';
import { useFreshStore } from '../../support/stores.ts';

describe('ending a job', () => {
  const ctx = useFreshStore('sqlite');
  let ending: JobEnding;
  let ended: JobRecord[];
  let changes: number;
  let seq = 0;

  const insert = async (status: NewJob['status'] = 'created'): Promise<JobRecord> => {
    seq++;
    const result = await ctx().store.jobs.insert(
      {
        jobid: `job:${seq}`, tenantId: 't1', bot: 'pika', verb: 'pika-create', status, accountId: 'a1', channel: '300000000000000001', server: null, discordMasked: 'x', maxJobs: 2,
        request: { prompt: 'p' }, replyUrl: 'https://example.com/hook', replyRef: null, messageId: null, content: null, timestamp: null, attachments: null, embeds: null, buttons: null,
        error: null, errorDetails: null, code: null, parentJobId: null, button: null, runnerState: { steps: [] }, createdAt: seq, deadlineAt: null,
      },
      [],
      { accountId: 'a1', limit: 10 },
    );
    if (!result.ok) throw new Error('not inserted');
    return result.job;
  };

  beforeEach(async () => {
    const { store } = ctx();
    await store.tenants.create({ id: 't1', name: 't1', tokenHash: 'h', tokenHint: 'x', createdAt: 1 });
    await store.accounts.upsert({ id: 'a1', tenantId: 't1', bot: 'pika', channel: '300000000000000001', server: null, discordToken: 'x', discordFingerprint: 'f', maxJobs: 10, now: 1 });
    const events = new JobEvents();
    ended = [];
    changes = 0;
    events.onEnded((job) => ended.push(job));
    ending = { store, events, providers: registry, now: () => 1_000 };
    const job = await insert();
    events.onChange(job.jobid, () => changes++);
    await endJob(ending, job, { status: 'completed', code: 200 });
  });

  it('announces the ending once, with the ended row, and enqueues its webhook in the same step', async () => {
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ status: 'completed', finishedAt: 1_000, holdsSlot: false });
    expect(changes).toBe(1);
    const outbox = await ctx().store.outbox.forJob('t1', ended[0]!.jobid);
    expect(outbox).toHaveLength(1);
    expect(JSON.parse(outbox[0]!.payload)).toMatchObject({ jobid: ended[0]!.jobid, status: 'completed', maxJobs: 2 });
    // A later ending of the same job writes and announces nothing.
    expect(await endJob(ending, ended[0]!, failure('late', 504))).toBeUndefined();
    expect(ended).toHaveLength(1);
    expect(await ctx().store.outbox.forJob('t1', ended[0]!.jobid)).toHaveLength(1);
  });

  it('counts a job cancelled while followed once: the bot result that arrives after the cancel changes nothing', async () => {
    const job = await insert('started');
    const cancelled = await endJob(ending, job, { status: 'cancelled', error: 'Cancelled by the client', code: 200, holdsSlot: true }, [job.status]);
    expect(cancelled).toMatchObject({ status: 'cancelled', holdsSlot: true });
    expect(await endJob(ending, job, { status: 'completed', code: 200 })).toBeUndefined();
    expect(ended.filter((j) => j.jobid === job.jobid).map((j) => j.status)).toEqual(['cancelled']);
  });

  it('counts a job that expires while followed once: the bot result after the deadline changes nothing', async () => {
    const job = await insert('progress');
    await endJob(ending, job, failure('Timed out waiting for the bot', 504));
    expect(await endJob(ending, job, { status: 'completed', code: 200 })).toBeUndefined();
    expect(ended.filter((j) => j.jobid === job.jobid).map((j) => j.status)).toEqual(['failed']);
  });

  it('lets exactly one of several racing endings win', async () => {
    for (let round = 0; round < 5; round++) {
      const job = await insert('started');
      const results = await Promise.all([
        endJob(ending, job, { status: 'cancelled', error: 'Cancelled by the client', code: 200 }, [job.status]),
        endJob(ending, job, failure('Timed out waiting for the bot', 504)),
        endJob(ending, job, { status: 'completed', code: 200 }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(ended.filter((j) => j.jobid === job.jobid)).toHaveLength(1);
      expect(await ctx().store.outbox.forJob('t1', job.jobid)).toHaveLength(1);
    }
  });
});
