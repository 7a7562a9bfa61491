import { describe, expect, it } from 'vitest';
import { creditsFromMessage, interpretFaceswap } from '../../../src/providers/faceswap/replies.ts';
import type { CommandStep } from '../../../src/providers/index.ts';
import type { DiscordMessage } from '../../../src/discord/index.ts';

const media: CommandStep = { kind: 'slash', command: 'swapid', options: {}, files: {}, expects: 'media' };
const text: CommandStep = { kind: 'slash', command: 'listid', options: {}, files: {}, expects: 'text' };
const message = (content: string, attachments: DiscordMessage['attachments'] = []): DiscordMessage => ({
  id: '1',
  channel_id: '2',
  author: { id: '3', username: 'InsightFaceSwap' },
  content,
  attachments,
  timestamp: '2024-02-01T02:05:24.991000+00:00',
});

describe('reading InsightFaceSwap replies', () => {
  it.each([
    ['a message with an image is the result', message('<@9> swapid done', [{ id: 'a', filename: 'r.png', url: 'u', content_type: 'image/png' }]), media, 'done'],
    ['an acknowledgement keeps the job running', message('<@9> command sent'), media, 'progress'],
    ['a submitted async job is accepted', message('<@9>  Picsi.Ai Headshot Job Submitted [jobid: abc] [credits: 4]'), media, 'submitted'],
    ['an error mentioning "processing" is still an error', message('<@9> an error occurred while processing your request'), media, 'failed'],
    ['no face is a failure', message('<@9> no face detected in the image'), media, 'failed'],
    ['out of credits is a failure', message('<@9> you are out of credits for today (used 50 of 50)'), media, 'failed'],
    ['a flagged image is moderated', message('<@9> this image was flagged as inappropriate'), media, 'moderated'],
    ['a text command is answered by its text', message('<@9> saved ids (1/20): alice'), text, 'done'],
    ['an unclassified text leaves a media command waiting', message('<@9> your picture is on its way'), media, 'progress'],
  ])('%s', (_case, msg, step, kind) => {
    expect(interpretFaceswap(msg, step).kind).toBe(kind);
  });

  it('strips mentions from the error it reports', () => {
    expect(interpretFaceswap(message('<@123> no face detected'), media)).toEqual({ kind: 'failed', error: 'no face detected' });
  });

  it('reads credits in both notations, with the message time', () => {
    expect(creditsFromMessage(message('done [credits: 1] [used: 18/50]'))).toEqual({ timestamp: '2024-02-01T02:05:24.991000+00:00', used: 18, total: 50 });
    expect(creditsFromMessage(message('out of credits (used 50 of 50)'))).toMatchObject({ used: 50, total: 50 });
    expect(creditsFromMessage(message('no numbers here'))).toBeUndefined();
  });
});
