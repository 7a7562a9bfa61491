import { describe, expect, it } from 'vitest';
import { InteractionFailedError, InteractionHandle, type DiscordMessage, type ReplyEvent } from '../../../src/discord/index.ts';

const msg = (id: string, fields: Partial<DiscordMessage> = {}): DiscordMessage => ({ id, channel_id: 'c', author: { id: 'bot', username: 'bot' }, content: '', ...fields });

describe('the interaction handle', () => {
  it('resolves waitFor with an existing or a later message that fits, following edits', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    handle.handle({ type: 'message_created', message: msg('1', { content: 'queued' }), rule: 'nonce' });
    await expect(handle.waitFor((m) => m.content === 'queued')).resolves.toMatchObject({ id: '1' });
    const done = handle.waitFor((m) => (m.attachments?.length ?? 0) > 0);
    handle.handle({ type: 'message_updated', message: msg('1', { content: 'done', attachments: [{ id: 'a', filename: 'x.mp4', url: 'u' }] }) });
    await expect(done).resolves.toMatchObject({ id: '1', content: 'done' });
    expect(handle.messages()).toHaveLength(1);
  });

  it('rejects waiting callers as soon as the interaction fails', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    const waiting = handle.waitFor(() => true);
    handle.handle({ type: 'interaction_failed', interactionId: 'i', reasonCode: 2 });
    await expect(waiting).rejects.toBeInstanceOf(InteractionFailedError);
    await expect(handle.waitFor(() => true)).rejects.toMatchObject({ reasonCode: 2, retry: true });
  });

  it('rejects on timeout and on close', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    await expect(handle.waitFor(() => true, { timeoutMs: 10 })).rejects.toMatchObject({ kind: 'timeout' });
    const waiting = handle.waitFor(() => true);
    handle.close();
    await expect(waiting).rejects.toMatchObject({ kind: 'closed' });
  });

  it('streams events until it is closed', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    const seen: ReplyEvent['type'][] = [];
    const reading = (async () => {
      for await (const event of handle.events()) seen.push(event.type);
    })();
    handle.handle({ type: 'interaction_succeeded', interactionId: 'i' });
    handle.handle({ type: 'message_created', message: msg('1'), rule: 'nonce' });
    handle.handle({ type: 'message_deleted', messageId: '1' });
    await Promise.resolve();
    handle.close();
    await reading;
    expect(seen).toEqual(['accepted', 'created', 'deleted']);
    expect(handle.messages()).toEqual([]);
  });

  it('replays what already happened to a consumer that starts late', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    handle.handle({ type: 'interaction_succeeded', interactionId: 'i' });
    handle.handle({ type: 'message_created', message: msg('1', { content: 'queued' }), rule: 'nonce' });
    handle.handle({ type: 'message_updated', message: msg('1', { content: 'done' }) });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of handle.events()) seen.push(event.type === 'created' ? `created:${event.message.content}` : event.type);
    })();
    await Promise.resolve();
    handle.handle({ type: 'message_created', message: msg('2'), rule: 'mention' });
    handle.close();
    await reading;
    expect(seen).toEqual(['accepted', 'created:done', 'created:']);
  });

  it('ends a late consumer with the failure that already happened', async () => {
    const handle = new InteractionHandle('n', 'c', async () => undefined);
    handle.handle({ type: 'interaction_failed', interactionId: 'i', reasonCode: 2 });
    const consume = async () => {
      for await (const _ of handle.events()) void _;
    };
    await expect(consume()).rejects.toBeInstanceOf(InteractionFailedError);
  });
});
