/** Pika as its command index and replies show it (spec/real-world.md, the simulator's bot). */
import type { CommandStep } from '../../../src/providers/index.ts';
import { botMessage, type ProviderFixture } from './fixture.ts';

const create: CommandStep = { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' };
const mp4 = [{ id: 'v', filename: 'video.mp4', url: 'https://cdn.example/video.mp4', content_type: 'video/mp4' }];

export const fixture: ProviderFixture = {
  botCommands: {
    create: ['prompt', 'image'],
    animate: ['image', 'prompt'],
    encrypt_text: ['message', 'prompt', 'font', 'image'],
    encrypt_image: ['message', 'prompt', 'image'],
  },
  values: { font: 'MODERN', maxJobs: '2', channel: '1300000000000000002', discord: 'a-token', jobid: 'job:parent', button: 'retry', message: 'hello' },
  parent: { jobid: 'job:parent', bot: 'pika', status: 'completed', request: { prompt: 'a cat' }, messageId: '1300000000000000005', buttons: ['retry'], channel: '1300000000000000002' },
  replies: [
    { name: 'a video is the result', step: create, message: botMessage('<@9> a cat', { attachments: mp4 }), verdict: 'done' },
    { name: 'a loading acknowledgement is progress', step: create, message: botMessage('', { flags: 1 << 7 }), verdict: 'progress' },
    { name: 'a percentage is progress', step: create, message: botMessage('<@9> generating… 40%'), verdict: 'progress' },
    { name: 'too many jobs is a failure', step: create, message: botMessage('<@9> You already have 3 jobs in progress'), verdict: 'failed' },
    { name: 'a moderated prompt is moderated', step: create, message: botMessage('<@9> your prompt was flagged by moderation'), verdict: 'moderated' },
  ],
};
