/**
 * The faceswap end-to-end flow in every plausible reply style of the real bot (issue 12 item 8):
 * no rule may lean on one wording or one delivery. saveid, listid, swapid, a failing swapid (which
 * must end `failed` within a second of the bot's answer, webhook delivered), headshot, webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FACESWAP_STYLE, type FaceswapStyle } from '../../src/simulator/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const STYLES: Array<[string, FaceswapStyle]> = [
  ['the simulator default: public ack, plain message with mention, errors as text', DEFAULT_FACESWAP_STYLE],
  ['ephemeral ack edited into the result, errors as red embeds, answers after the ack', { ack: 'ephemeral', result: 'edit', errors: 'embed', textReplies: 'after-ack' }],
  ['interaction follow-ups, errors as red embeds', { ack: 'public', result: 'follow-up', errors: 'embed', textReplies: 'after-ack' }],
  ['replies to the acknowledgement, errors as text', { ack: 'public', result: 'reply', errors: 'content', textReplies: 'after-ack' }],
  ['no acknowledgement: the answer is the interaction response, errors as red embeds', { ack: 'none', result: 'message', errors: 'embed', textReplies: 'direct' }],
  ['plain messages without a mention, errors as red embeds', { ack: 'public', result: 'message-no-mention', errors: 'embed', textReplies: 'after-ack' }],
  ['ephemeral ack, plain messages without a mention, errors as text', { ack: 'ephemeral', result: 'message-no-mention', errors: 'content', textReplies: 'direct' }],
];

describe('faceswap end to end in every reply style', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    h = await startHarness();
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await h.close();
  });

  describe.each(STYLES)('%s', (_name, style) => {
    let channel: string;
    const call = async (method: string, path: string, fields: Record<string, string | Blob>) => {
      const response = await h.call(method, path, { form: form({ channel, ...fields }) });
      return { status: response.status, job: await response.json() };
    };
    beforeAll(async () => {
      h.sim.control.setFaceswapStyle(style);
      channel = (await h.addFaceswapAccount()).channel;
    });

    it('saves an identity, lists it and swaps it onto an image', async () => {
      const saved = await call('POST', '/v1/faceswap/saveid', { idname: 'alice', image: png(3) });
      expect(saved.job, JSON.stringify(saved.job)).toMatchObject({ status: 'completed', code: 200 });
      const listed = await call('POST', '/v1/faceswap/listid', {});
      expect(listed.job).toMatchObject({ status: 'completed' });
      expect(JSON.stringify(listed.job.content) + JSON.stringify(listed.job.embeds)).toContain('alice');
      const swapped = await call('POST', '/v1/faceswap/swapid', { idname: 'alice', image: png(4) });
      expect(swapped.job, JSON.stringify(swapped.job)).toMatchObject({ status: 'completed', code: 200 });
      expect(swapped.job.attachments[0]).toMatchObject({ content_type: 'image/png' });
    });

    it('ends a refused swapid failed within a second of the bot’s answer, with its webhook delivered', async () => {
      const before = receiver.received.length;
      const arrived = receiver.waitFor(before + 1).then(() => Date.now());
      const { status, job } = await call('POST', '/v1/faceswap/swapid', { idname: 'ghost', image: png(5), replyUrl: receiver.url });
      expect(status, JSON.stringify(job)).toBe(422);
      expect(job).toMatchObject({ status: 'failed', code: 422 });
      expect(job.error).toContain('ghost');
      const at = await arrived;
      const hook = JSON.parse(receiver.received[before]!.body);
      expect(hook).toMatchObject({ jobid: job.jobid, status: 'failed' });
      // The job's timestamp is the bot's answer.
      expect(at - Date.parse(job.timestamp)).toBeLessThan(1000);
    });

    it('runs headshot: started on Job Submitted, then completed with the image and its webhook', async () => {
      const before = receiver.received.length;
      const started = await h.call('POST', '/v1/faceswap/headshot', { json: { channel, prompt: 'me, a mad king', replyUrl: receiver.url } });
      const job = await started.json();
      expect(job, JSON.stringify(job)).toMatchObject({ status: 'started' });
      const done = await h.waitForEnd('faceswap', job.jobid);
      expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed' });
      expect(done.attachments[0].content_type).toBe('image/png');
      await receiver.waitFor(before + 1);
      expect(receiver.received.slice(before).map((r) => JSON.parse(r.body).jobid)).toContain(job.jobid);
    });
  });

  it('never overlapped two commands in one channel', () => {
    expect(h.sim.control.report().faceswapOverlaps).toEqual([]);
  });
});
