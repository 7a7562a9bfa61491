/**
 * Midjourney as its command index and replies show it. Replies are the real formats quoted in
 * midjourney.md Part C (C.3, C.4, C.9), not the simulator's.
 */
import type { CommandStep } from '../../../src/providers/index.ts';
import { botMessage, type ProviderFixture } from './fixture.ts';

const HASH = '8b831f86-c093-4f17-8570-2159888840aa';
const U = '<@1012670791755771985>';
const imagine: CommandStep = { kind: 'slash', command: 'imagine', options: {}, files: {}, expects: 'media' };
const button: CommandStep = { kind: 'button', button: 'U1', messageId: '1300000000000000005', expects: 'media' };
const relax: CommandStep = { kind: 'slash', command: 'relax', options: {}, files: {}, expects: 'text' };
const grid = [{ id: 'g', filename: `someone_Baby_${HASH}.png`, url: 'https://cdn.example/grid.png', content_type: 'image/png' }];
const rows = [{ type: 1, components: [1, 2, 3, 4].map((n) => ({ type: 2, label: `U${n}`, custom_id: `MJ::JOB::upsample::${n}::${HASH}` })) }];
const embed = (title: string, description: string, color?: number) => botMessage('', { embeds: [{ type: 'rich', title, description, ...(color !== undefined ? { color } : {}) }] });

export const fixture: ProviderFixture = {
  // C.2: the options the proxies send (blend's image1–5 and dimensions; describe's image or link).
  botCommands: {
    imagine: ['prompt'],
    blend: ['image1', 'image2', 'image3', 'image4', 'image5', 'dimensions'],
    describe: ['image', 'link'],
    info: [],
    fast: [],
    relax: [],
    turbo: [],
  },
  values: { maxJobs: '3', channel: '1300000000000000002', discord: 'a-token', server: '1300000000000000001', jobid: 'job:parent', button: 'U1', blendUrls: '["https://example.com/1.png","https://example.com/2.png"]', blendDimensions: 'Square', describeUrl: 'https://example.com/3.png', prompt: 'a red fox' },
  parent: { jobid: 'job:parent', bot: 'midjourney', status: 'completed', request: { prompt: 'a cat' }, messageId: '1300000000000000005', buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'], channel: '1300000000000000002' },
  replies: [
    { name: 'the start message is progress', step: imagine, message: botMessage(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (Waiting to start)`), verdict: 'progress' },
    { name: 'a progress edit is progress', step: imagine, message: botMessage(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (31%) (fast)`), verdict: 'progress' },
    { name: 'the new grid message is the result', step: imagine, message: botMessage(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (fast)`, { attachments: grid, components: rows }), verdict: 'done' },
    { name: 'an upscale replying to the grid is the result', step: button, message: botMessage(`**Baby** - Image #1 ${U}`, { attachments: grid, message_reference: { message_id: '1300000000000000005' } }), verdict: 'done' },
    { name: '"Job queued" keeps the job running', step: imagine, message: embed('Job queued', "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start as soon as another one finishes!"), verdict: 'progress' },
    { name: 'a banned prompt is moderated', step: imagine, message: embed('Banned prompt detected', '', 0xff0000), verdict: 'moderated' },
    { name: '"Action needed to continue" is moderated', step: imagine, message: embed('Action needed to continue', 'Sorry! Our AI moderators feel your prompt might be against our community standards.'), verdict: 'moderated' },
    { name: 'an invalid parameter fails', step: imagine, message: embed('Invalid parameter', 'Unrecognized parameter(s): `--foo`', 0xff0000), verdict: 'failed' },
    { name: 'a pending moderation message fails the job', step: imagine, message: embed('Pending mod message', 'You have a pending moderation message. Please acknowledge it before using the bot further.', 0xff0000), verdict: 'failed' },
    { name: 'the relax confirmation answers /relax', step: relax, message: botMessage('Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with /fast'), verdict: 'done' },
  ],
};
