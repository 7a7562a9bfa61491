/**
 * Nothing the bot says is lost (issue 12 item 3) and late answers go to no other job (item 4):
 * an unclassified reply shows up in the job, the metrics and the dashboard, a timed-out job's
 * error quotes it, and a result that arrives after INTERACTION_FAILURE is never attached to the
 * next job in the channel.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('bot messages no rule understood', () => {
  let h: Harness;
  let account: Awaited<ReturnType<Harness['addFaceswapAccount']>>;
  const logLines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    h = await startHarness({ env: { SWITCHBOARD_QUARANTINE: '3s' }, runtime: { log: createLogger('info', stream) } });
    account = await h.addFaceswapAccount();
    const saved = await (await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'alice', image: png(1) }) })).json();
    expect(saved.status).toBe('completed');
  });
  afterAll(() => h.close());

  it('keeps an unclassified reply with the job, counts it, lists it on the dashboard, and quotes it when the job times out', async () => {
    h.sim.control.setFaceswapTemplates({ botError: '{user} the GPU caught fire' });
    h.sim.control.failNextFaceswapJobs(1, 'botError');
    const call = h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(2) }) });
    // The job keeps waiting for its picture; find it and look at it while it does.
    let jobid = '';
    await waitUntil(async () => {
      const executing: string[] = await (await h.call('GET', '/v1/faceswap/jobs')).json();
      if (executing.length !== 1) return false;
      jobid = executing[0]!;
      const job = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(jobid)}`)).json();
      return (job.botMessages ?? []).length > 0;
    }, 15_000, 'the unclassified reply to be kept with the job');
    const waiting = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(jobid)}`)).json();
    expect(waiting.status).toMatch(/started|progress/);
    expect(waiting.botMessages).toEqual([expect.objectContaining({ text: 'the GPU caught fire', attachments: 0 })]);

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_bot_messages_kept_total\{[^}]*bot="faceswap"[^}]*reason="unclassified"[^}]*\} 1/);
    const overview = await (await h.call('GET', '/v1/dashboard/overview')).json();
    expect(overview.bots[0].accounts[0].botMessages).toEqual([expect.objectContaining({ reason: 'unclassified', text: 'the GPU caught fire', jobid })]);
    // Logged at info with the bot's words, never with a token.
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'bot message not understood by any reply rule');
    expect(logged).toMatchObject({ level: 30, bot: 'faceswap', job: jobid, text: 'the GPU caught fire' });
    expect(logLines.join('')).not.toContain(account.discord);

    // Bring the deadline forward (the command's own is minutes away): the error quotes the bot.
    await h.services.store.jobs.update(jobid, ['started', 'progress'], { deadlineAt: Date.now() }, Date.now());
    h.services.runner.wake();
    const response = await call;
    const ended = await response.json();
    expect(ended).toMatchObject({ status: 'failed', code: 504 });
    expect(ended.error).toBe('Timed out waiting for the bot; it last said: "the GPU caught fire"');
    await waitUntil(async () => (await (await h.call('POST', '/v1/faceswap/listid', { form: form({}) })).json()).status === 'completed', 15_000, 'the channel to be free after its quarantine');
  });

  it('never attaches a result that arrives after INTERACTION_FAILURE to the next job; it is recorded on the account', async () => {
    h.sim.control.answerLateNextFaceswapJobs(1);
    const first = await (await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(3) }) })).json();
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'failed', code: 504 });

    // The channel is held back: the next command is refused rather than exposed to the late answer.
    const next = await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(4) }) });
    expect(next.status).toBe(429);
    expect((await next.json()).error).toMatch(new RegExp(`^Channel ${account.channel} is held back until`));

    // The late result arrives and is recorded on the account, given to no job.
    let late: { messageId?: string; attachments?: number; reason?: string } = {};
    await waitUntil(async () => {
      const overview = await (await h.call('GET', '/v1/dashboard/overview')).json();
      late = overview.bots[0].accounts[0].botMessages.find((m: { reason: string }) => m.reason === 'quarantined') ?? {};
      return late.reason === 'quarantined';
    }, 15_000, 'the late result to be recorded');
    expect(late.attachments).toBe(1);
    const failed = await (await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(first.jobid)}`)).json();
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.attachments ?? []).toEqual([]);

    // After the quarantine the next job gets its own result, not the late one.
    let second: Record<string, any> = {};
    await waitUntil(async () => {
      const response = await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'alice', image: png(5) }) });
      second = await response.json();
      return response.status !== 429;
    }, 15_000, 'the quarantine to end');
    expect(second).toMatchObject({ status: 'completed' });
    expect(second.attachments).toHaveLength(1);
    expect(late.messageId).toMatch(/^\d+$/);
    expect(second.messageId).not.toBe(late.messageId);
    const report = h.sim.control.report();
    expect(report.faceswapOverlaps).toEqual([]);
  });
});
