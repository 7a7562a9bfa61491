/** InsightFaceSwap as its command index and replies show it (spec/real-world.md, the simulator's bot). */
import type { CommandStep } from '../../../src/providers/index.ts';
import { botMessage, type ProviderFixture } from './fixture.ts';

const media: CommandStep = { kind: 'slash', command: 'swapid', options: {}, files: {}, expects: 'media' };
const text: CommandStep = { kind: 'slash', command: 'listid', options: {}, files: {}, expects: 'text' };
const png = [{ id: 'a', filename: 'r.png', url: 'https://cdn.example/r.png', content_type: 'image/png' }];

export const fixture: ProviderFixture = {
  botCommands: {
    saveid: ['idname', 'image'],
    setid: ['idname'],
    listid: [],
    delid: ['idname'],
    delall: [],
    swapid: ['idname', 'image'],
    picsi: ['source_image', 'target_image_gif_or_video', 'options'],
    headshot: ['prompt', 'options'],
    changebg: ['image', 'a_background_photo_of', 'options'],
    INSwapper: [],
  },
  values: { idname: 'alice', saveid_idname: 'alice', swapid_idname: 'alice', targetMessageId: '1300000000000000009', channel: '1300000000000000002' },
  replies: [
    { name: 'a message with an image is the result', step: media, message: botMessage('<@9> swapid done', { attachments: png }), verdict: 'done' },
    { name: 'an acknowledgement keeps the job running', step: media, message: botMessage('<@9> command sent'), verdict: 'progress' },
    { name: 'an asynchronous job is accepted', step: media, message: botMessage('<@9>  Picsi.Ai Headshot Job Submitted [jobid: abc] [credits: 4]'), verdict: 'submitted' },
    { name: 'no face is a failure', step: media, message: botMessage('<@9> no face detected in the image'), verdict: 'failed' },
    { name: 'out of credits is a failure', step: media, message: botMessage('<@9> you are out of credits for today (used 50 of 50)'), verdict: 'failed' },
    { name: 'a flagged image is moderated', step: media, message: botMessage('<@9> this image was flagged as inappropriate'), verdict: 'moderated' },
    { name: 'a text command is answered by its text', step: text, message: botMessage('<@9> saved ids (1/20): alice'), verdict: 'done' },
  ],
};
