import { beforeEach, describe, expect, it } from 'vitest';
import { ReplyCorrelator, snowflakeFromTimestamp, type CorrelationEvent, type DiscordMessage } from '../../../src/discord/index.ts';

const SELF = '500000000000000001';
const OTHER_USER = '500000000000000002';
const BOT = '1090660574196674713';
const CHANNEL = '600000000000000001';
const T0 = Date.UTC(2026, 5, 1);
const since = snowflakeFromTimestamp(T0);
const later = (ms: number): string => (BigInt(snowflakeFromTimestamp(T0 + ms)) + 1n).toString();

function message(fields: Partial<DiscordMessage> & { id: string }): DiscordMessage {
  return { channel_id: CHANNEL, author: { id: BOT, username: 'bot', bot: true }, content: '', ...fields };
}

describe('reply correlation', () => {
  let correlator: ReplyCorrelator;
  let events: CorrelationEvent[];
  let second: CorrelationEvent[];

  beforeEach(() => {
    correlator = new ReplyCorrelator(() => SELF);
    events = [];
    second = [];
  });

  const register = (nonce: string, extra: Record<string, unknown> = {}, sink = events) =>
    correlator.register({ nonce, channelId: CHANNEL, applicationId: BOT, since, ...extra }, (e) => sink.push(e));

  it('learns the interaction id from INTERACTION_CREATE by nonce', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    expect(events).toEqual([{ type: 'interaction_created', interactionId: 'i1' }]);
  });

  it('matches the first response by its nonce', () => {
    register('n1');
    const m = message({ id: later(10), nonce: 'n1' });
    correlator.handleDispatch('MESSAGE_CREATE', m);
    expect(events).toEqual([{ type: 'message_created', message: m, rule: 'nonce' }]);
  });

  it('matches a message by interaction_metadata.id once the interaction id is known', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    const m = message({ id: later(10), interaction_metadata: { id: 'i1', type: 2, user: { id: SELF } } });
    correlator.handleDispatch('MESSAGE_CREATE', m);
    expect(events.at(-1)).toEqual({ type: 'message_created', message: m, rule: 'interaction_id' });
  });

  it('follows edits of a matched message, including a deferred reply being filled in', () => {
    register('n1');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(10), nonce: 'n1', flags: 128, content: '' }));
    correlator.handleDispatch('MESSAGE_UPDATE', { id: later(10), channel_id: CHANNEL, flags: 0, content: 'done' });
    const last = events.at(-1);
    expect(last?.type).toBe('message_updated');
    expect(last?.type === 'message_updated' && last.message).toMatchObject({ flags: 0, content: 'done', nonce: 'n1' });
  });

  it('reports the deletion of a matched message', () => {
    register('n1');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(10), nonce: 'n1' }));
    correlator.handleDispatch('MESSAGE_DELETE', { id: later(10), channel_id: CHANNEL });
    expect(events.at(-1)).toEqual({ type: 'message_deleted', messageId: later(10) });
  });

  it('matches follow-ups through original_response_message_id', () => {
    register('n1');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(10), nonce: 'n1' }));
    const followUp = message({ id: later(20), interaction_metadata: { id: 'unknown', type: 2, original_response_message_id: later(10) } });
    correlator.handleDispatch('MESSAGE_CREATE', followUp);
    expect(events.at(-1)).toEqual({ type: 'message_created', message: followUp, rule: 'follow_up' });
  });

  it('recognises its own command by metadata when INTERACTION_CREATE was missed', () => {
    register('n1', { commandName: 'swapid' });
    register('n2', { commandName: 'listid' }, second);
    const m = message({ id: later(10), interaction_metadata: { id: 'i7', type: 2, name: 'swapid', user: { id: SELF } } });
    correlator.observeHistoryMessage(m);
    expect(events).toEqual([{ type: 'message_created', message: m, rule: 'metadata' }]);
    expect(second).toEqual([]);
    const followUp = message({ id: later(20), interaction_metadata: { id: 'i7', type: 2, name: 'swapid' } });
    correlator.handleDispatch('MESSAGE_CREATE', followUp);
    expect(events.at(-1)).toEqual({ type: 'message_created', message: followUp, rule: 'interaction_id' });
  });

  it('matches a new message that references the clicked message', () => {
    const clicked = later(1);
    register('n1', { clickedMessageId: clicked, since: later(2) });
    const reply = message({ id: later(30), type: 19, message_reference: { message_id: clicked } });
    correlator.handleDispatch('MESSAGE_CREATE', reply);
    expect(events.at(-1)).toEqual({ type: 'message_created', message: reply, rule: 'reference' });
  });

  it('treats an edit of the clicked message after the click was accepted as an update', () => {
    const clicked = later(1);
    register('n1', { clickedMessageId: clicked, since: later(2) });
    correlator.handleDispatch('MESSAGE_UPDATE', message({ id: clicked, content: 'before the click was accepted' }));
    expect(events).toEqual([]);
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'i9', nonce: 'n1' });
    const edited = message({ id: clicked, content: 'regenerating' });
    correlator.handleDispatch('MESSAGE_UPDATE', edited);
    expect(events.at(-1)).toEqual({ type: 'message_updated', message: edited, rule: 'clicked_message' });
  });

  it('matches an unlinked bot message that mentions the user when one interaction waits in the channel', () => {
    register('n1');
    const result = message({ id: later(40), content: `<@${SELF}> Job Submitted [jobid: 1]`, mentions: [{ id: SELF }] });
    correlator.handleDispatch('MESSAGE_CREATE', result);
    expect(events.at(-1)).toEqual({ type: 'message_created', message: result, rule: 'mention' });
  });

  it('does not guess when two interactions of the same bot wait in the channel', () => {
    register('n1');
    register('n2', {}, second);
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(40), content: `<@${SELF}> result`, mentions: [{ id: SELF }] }));
    expect(events).toEqual([]);
    expect(second).toEqual([]);
  });

  it('ignores messages older than the interaction, from other authors or in other channels', () => {
    register('n1');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: snowflakeFromTimestamp(T0 - 5000), content: `<@${SELF}>`, mentions: [{ id: SELF }] }));
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(5), author: { id: OTHER_USER, username: 'x' }, content: `<@${SELF}>`, mentions: [{ id: SELF }] }));
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(6), channel_id: '9999999', nonce: 'n1' }));
    expect(events).toEqual([]);
  });

  it('never takes a message that answers another user', () => {
    register('n1');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(5), nonce: 'n1', interaction_metadata: { id: 'x', type: 2, user: { id: OTHER_USER } } }));
    expect(events).toEqual([]);
  });

  it('does not take a mention reply that names an interaction it does not know', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'mine', nonce: 'n1' });
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(5), content: `<@${SELF}>`, mentions: [{ id: SELF }], interaction_metadata: { id: 'older', type: 2 } }));
    expect(events.filter((e) => e.type === 'message_created')).toEqual([]);
  });

  it('fails fast on INTERACTION_FAILURE', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    correlator.handleDispatch('INTERACTION_FAILURE', { id: 'i1', nonce: 'n1', reason_code: 2 });
    expect(events.at(-1)).toEqual({ type: 'interaction_failed', interactionId: 'i1', reasonCode: 2 });
  });

  it('reports INTERACTION_SUCCESS and modals for the interaction', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_SUCCESS', { id: 'i1', nonce: 'n1' });
    correlator.handleDispatch('INTERACTION_MODAL_CREATE', { id: 'i1', nonce: 'n1', custom_id: 'remix', components: [] });
    expect(events.map((e) => e.type)).toEqual(['interaction_succeeded', 'modal']);
  });

  it('follows a retried interaction under its new nonce', () => {
    const reg = register('n1');
    reg.renonce('n2');
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(1), nonce: 'n1' }));
    expect(events).toEqual([]);
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(2), nonce: 'n2' }));
    expect(events).toHaveLength(1);
  });

  it('stops following after unregister', () => {
    const reg = register('n1');
    reg.unregister();
    correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(1), nonce: 'n1' }));
    expect(events).toEqual([]);
    expect(correlator.size).toBe(0);
  });

  it('feeds history messages through the same rules and reports only real changes', () => {
    register('n1');
    correlator.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    const ack = message({ id: later(1), nonce: 'n1', content: 'command sent' });
    correlator.handleDispatch('MESSAGE_CREATE', ack);
    correlator.observeHistoryMessage({ ...ack });
    expect(events.filter((e) => e.type !== 'interaction_created')).toHaveLength(1);
    const missed = message({ id: later(2), content: `<@${SELF}> result`, mentions: [{ id: SELF }], interaction_metadata: { id: 'i1', type: 2 } });
    correlator.observeHistoryMessage(missed);
    correlator.observeHistoryMessage({ ...ack, content: 'edited meanwhile', edited_timestamp: '2026-06-01T00:00:01.000000+00:00' });
    expect(events.slice(-2).map((e) => e.type)).toEqual(['message_created', 'message_updated']);
  });
  describe('delivery styles of the real bots (issue 12)', () => {
    it('gives a reply (message_reference) to a message the job owns to that job', () => {
      register('n1');
      register('n2', {}, second);
      const ack = message({ id: later(10), nonce: 'n1', content: 'command sent' });
      correlator.handleDispatch('MESSAGE_CREATE', ack);
      const reply = message({ id: later(20), type: 19, message_reference: { message_id: ack.id, channel_id: CHANNEL } });
      correlator.handleDispatch('MESSAGE_CREATE', reply);
      expect(events.at(-1)).toEqual({ type: 'message_created', message: reply, rule: 'reference' });
      expect(second).toEqual([]);
    });

    it('gives a plain bot message without a mention to the one pending command of a one-command channel', () => {
      register('n1', { exclusiveChannel: true });
      const plain = message({ id: later(10), content: 'here it is', attachments: [{ id: 'a', filename: 'r.png', url: 'u' }] });
      correlator.handleDispatch('MESSAGE_CREATE', plain);
      expect(events.at(-1)).toEqual({ type: 'message_created', message: plain, rule: 'channel' });
    });

    it('does not give a message without a mention to a command in a shared channel', () => {
      register('n1');
      correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(10), content: 'here it is', attachments: [{ id: 'a', filename: 'r.png', url: 'u' }] }));
      expect(events).toEqual([]);
    });

    it('tells several pending jobs in one DM apart by the prompt the message quotes', () => {
      register('n1', { prompt: 'people running around a horse' });
      register('n2', { prompt: 'smiling and blinking --size 100' }, second);
      const final = message({ id: later(10), content: `<@${SELF}> Prompt: smiling and blinking --size 100  Image: 1 Attachment  Author: <@${SELF}>` });
      correlator.handleDispatch('MESSAGE_CREATE', final);
      expect(events).toEqual([]);
      expect(second).toEqual([{ type: 'message_created', message: final, rule: 'prompt' }]);
    });

    it('never gives a message that names another interaction to the pending one, even in a one-command channel', () => {
      register('n1', { exclusiveChannel: true });
      correlator.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
      correlator.handleDispatch('MESSAGE_CREATE', message({ id: later(10), interaction_metadata: { id: 'i0', type: 2, user: { id: SELF } }, attachments: [{ id: 'a', filename: 'r.png', url: 'u' }] }));
      expect(events.filter((e) => e.type === 'message_created')).toEqual([]);
    });
  });
});

describe('ordering bounds of the heuristic rules', () => {
  it('use the interaction id from Discord once known, not our clock', () => {
    const correlator = new ReplyCorrelator(() => SELF);
    const events: CorrelationEvent[] = [];
    // Our clock runs ahead of Discord's: `since` lies after the ids Discord hands out.
    correlator.register({ nonce: 'n1', channelId: CHANNEL, applicationId: BOT, since: later(60_000) }, (e) => events.push(e));
    correlator.handleDispatch('INTERACTION_CREATE', { id: later(100), nonce: 'n1' });
    const stale = message({ id: later(50), content: `<@${SELF}> old`, mentions: [{ id: SELF }] });
    const fresh = message({ id: later(200), content: `<@${SELF}> result`, mentions: [{ id: SELF }] });
    correlator.handleDispatch('MESSAGE_CREATE', stale);
    correlator.handleDispatch('MESSAGE_CREATE', fresh);
    expect(events.filter((e) => e.type === 'message_created')).toEqual([{ type: 'message_created', message: fresh, rule: 'mention' }]);
    expect(correlator.channels().get(CHANNEL)).toBe(later(100));
  });
});
