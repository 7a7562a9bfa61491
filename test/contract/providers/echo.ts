/**
 * A provider defined in the tests — the proof that a new bot needs only its folder and one
 * registry line. "echo" drives the simulator's Pika bot under another name, with its own account
 * shape, one command and its own reply rule; it reuses nothing of src/providers/pika.
 */
import type { Provider } from '../../../src/providers/index.ts';
import { invalidId, isMissing, missing, snowflakeOrError } from '../../../src/providers/shared/account-fields.ts';
import { botMessage, type ProviderFixture } from './fixture.ts';

export const echo: Provider = {
  name: 'echo',
  title: 'Echo',
  location: 'dm',
  account: {
    schema: {
      request: { type: 'object', properties: { discord: { type: 'string' }, channel: { type: 'string' } }, required: ['discord', 'channel'] },
      response: { type: 'object', properties: { channel: { type: 'string' }, discord: { type: 'string' } }, required: ['channel', 'discord'], additionalProperties: false },
    },
    parse(body, pathChannel) {
      if (isMissing(body.discord) || typeof body.discord !== 'string') return { ok: false, error: missing('discord') };
      const channel = snowflakeOrError(body.channel);
      if (!channel) return { ok: false, error: invalidId(body.channel) };
      if (channel !== pathChannel) return { ok: false, error: `channel ${channel} does not match the path` };
      return { ok: true, value: { discord: body.discord.trim(), channel, server: null, maxJobs: null } };
    },
    render: (account, discord) => ({ channel: account.channel, discord }),
  },
  commands: [
    {
      name: 'say',
      method: 'POST',
      answer: 'terminal',
      selection: 'random',
      fields: [{ name: 'text', kind: 'text', required: true, maxLength: 100, description: 'what to say' }],
      timeoutMs: 30_000,
      build: (input) => ({ ok: true, value: { echo: { text: input.fields.text }, steps: [{ kind: 'slash', command: 'create', options: { prompt: input.fields.text! }, files: {}, expects: 'media' }] } }),
    },
  ],
  capacity: () => 1,
  interpret: (message) => ((message.attachments ?? []).length > 0 ? { kind: 'done' } : /error|refused/i.test(message.content ?? '') ? { kind: 'failed', error: message.content ?? '' } : { kind: 'progress' }),
  renderExtras: () => ({}),
};

export const fixture: ProviderFixture = {
  botCommands: { create: ['prompt', 'image'] },
  replies: [
    { name: 'an attachment is the result', step: { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' }, message: botMessage('done', { attachments: [{ id: 'a', filename: 'v.mp4', url: 'u', content_type: 'video/mp4' }] }), verdict: 'done' },
    { name: 'anything else is progress', step: { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' }, message: botMessage('thinking'), verdict: 'progress' },
    { name: 'an error fails', step: { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' }, message: botMessage('error: no'), verdict: 'failed' },
  ],
};
