/**
 * Reading the Midjourney bot's messages. Every fixture is a format quoted in midjourney.md Part C
 * (the source tag of each is in the case title); none comes from switchboard's simulator.
 */
import { describe, expect, it } from 'vitest';
import { normalisePrompt, parseContent, samePrompt } from '../../../src/providers/midjourney/content.ts';
import { describePrompts, isCaptchaModal, parseInfo, readMessage, type BotMessage } from '../../../src/providers/midjourney/replies.ts';
import { compileMidjourneyRules, MIDJOURNEY_RULE_TABLE } from '../../../src/providers/midjourney/rule-book.ts';
import { NOTICE_RULES, noticeRule } from '../../../src/providers/midjourney/rules.ts';

const HASH = '8b831f86-c093-4f17-8570-2159888840aa';
const U = '<@1012670791755771985>';
const grid = { filename: `someone_Baby_${HASH}.png`, content_type: 'image/png', url: 'https://cdn.discordapp.com/x.png' };
const preview = { filename: `${HASH}_grid_0.webp`, content_type: 'image/webp', url: 'https://cdn.discordapp.com/p.webp' };
const gridButtons = [
  { type: 1, components: [1, 2, 3, 4].map((n) => ({ type: 2, style: 2, label: `U${n}`, custom_id: `MJ::JOB::upsample::${n}::${HASH}` })) },
  { type: 1, components: [...[1, 2, 3, 4].map((n) => ({ type: 2, style: 2, label: `V${n}`, custom_id: `MJ::JOB::variation::${n}::${HASH}` })), { type: 2, style: 2, emoji: { name: '🔄' }, custom_id: `MJ::JOB::reroll::0::${HASH}::SOLO` }] },
];
const msg = (content: string, extra: Partial<BotMessage> = {}): BotMessage => ({ id: '1', content, attachments: [], embeds: [], components: [], ...extra });
const embed = (title: string, description: string, color?: number, footer?: string): BotMessage =>
  msg('', { embeds: [{ type: 'rich', title, description, ...(color !== undefined ? { color } : {}), ...(footer ? { footer: { text: footer } } : {}) }] });

describe('the content line (C.3, C.4)', () => {
  it('reads the start message of the July 2023 gateway log (ISS novicezk#261)', () => {
    expect(parseContent(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (Waiting to start)`)).toMatchObject({ prompt: 'Baby, :: --ar 1:1 --v 5.2', userId: '1012670791755771985', state: 'waiting', action: 'imagine' });
  });

  it.each([
    [`**Baby, :: --ar 1:1 --v 5.2** - ${U} (0%) (fast)`, { percent: 0, mode: 'fast' }],
    [`**Baby, :: --ar 1:1 --v 5.2** - ${U} (31%) (fast)`, { percent: 31, mode: 'fast' }],
    [`**car --ar 3:2 --seed 2960366558 --video 1** - ${U} (75%) (fast)`, { percent: 75, mode: 'fast', prompt: 'car --ar 3:2 --seed 2960366558 --video 1' }],
    [`**cat** - Upscaling by ${U} (31%) (relaxed)`, { percent: 31, mode: 'relaxed', action: 'upscale' }],
  ])('reads the progress edit %s', (content, expected) => {
    expect(parseContent(content)).toMatchObject(expected);
  });

  it.each([
    [`**cat** - ${U} (fast)`, { action: 'imagine', mode: 'fast' }],
    [`**cat** - ${U} (relaxed, stealth)`, { mode: 'relaxed', stealth: true }],
    [`**cat** - ${U} (turbo)`, { mode: 'turbo' }],
    [`**cat** - ${U} [(Open on website for full quality)](<https://midjourney.com/jobs/${HASH}>) (fast)`, { action: 'imagine', mode: 'fast' }],
    [`**cat** - Image #2 ${U}`, { action: 'pick', imageIndex: 2 }],
    [`**cat** - Upscaled by ${U} (fast)`, { action: 'pick' }],
    [`**cat** - Upscaled (Subtle) by ${U} (fast)`, { action: 'upscale', variant: 'Subtle' }],
    [`**cat** - Variations (Strong) by ${U} (fast)`, { action: 'variation', variant: 'Strong' }],
    [`**cat** - Variations by ${U} (fast)`, { action: 'variation' }],
    [`**cat** - Remix (Subtle) by ${U} (fast)`, { action: 'variation', remix: true, variant: 'Subtle' }],
    [`**cat** - Pan Left by ${U} (fast)`, { action: 'pan', variant: 'Left' }],
    [`**cat** - Zoom Out by ${U} (fast)`, { action: 'zoom' }],
    [`**** - ${U} (fast)`, { prompt: '', action: 'imagine' }],
  ])('reads the result line %s', (content, expected) => {
    const parsed = parseContent(content);
    expect(parsed).toMatchObject(expected);
    expect(parsed?.percent).toBeUndefined();
  });

  it('matches echoed prompts after dropping parameters and rewriting links (C.3, C.6)', () => {
    expect(samePrompt('Baby, :: --ar 1:1 --v 5.2', 'Baby, ::')).toBe(true);
    expect(samePrompt('<https://s.mj.run/abcDEF> a red fox --v 6', 'https://example.com/fox.png   A red  fox')).toBe(true);
    expect(samePrompt('a red fox —ar 3:2', 'a red fox')).toBe(true);
    expect(samePrompt('a red fox', 'a blue fox')).toBe(false);
    expect(normalisePrompt('**A  Cat** --stylize 100')).toBe('a cat');
  });

  it('is not fooled by contents without the prompt shape', () => {
    expect(parseContent('Displaying...')).toBeUndefined();
    expect(parseContent('')).toBeUndefined();
  });
});

describe('reading a message tied to a job', () => {
  it('reads the start message, the progress edits with their preview and the new final message', () => {
    expect(readMessage(msg(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (Waiting to start)`), 'imagine')).toEqual({ kind: 'progress', waiting: true });
    const cancel = [{ type: 1, components: [{ type: 2, style: 4, label: 'Cancel Job', custom_id: `MJ::CancelJob::ByJobid::${HASH}` }] }];
    expect(readMessage(msg(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (46%) (fast)`, { attachments: [preview], components: cancel }), 'imagine')).toEqual({ kind: 'progress', percent: 46, mode: 'fast', hash: HASH });
    expect(readMessage(msg(`**Baby, :: --ar 1:1 --v 5.2** - ${U} (fast)`, { attachments: [grid], components: gridButtons }), 'imagine')).toEqual({
      kind: 'result',
      mode: 'fast',
      hash: HASH,
      buttons: ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'],
    });
  });

  it('reads an upscale (a reply to the grid) as the button step’s result', () => {
    const upscale = msg(`**cat** - Image #1 ${U}`, { attachments: [grid], message_reference: { message_id: '99' }, components: [{ type: 1, components: [{ type: 2, label: 'Upscale (Subtle)', custom_id: `MJ::JOB::upsample_v6_2x_subtle::1::${HASH}::SOLO` }, { type: 2, label: 'Vary (Region)', custom_id: `MJ::Inpaint::1::${HASH}::SOLO` }] }] });
    expect(readMessage(upscale, 'button')).toMatchObject({ kind: 'result', buttons: ['Upscale (Subtle)', 'Vary (Region)'] });
  });

  it('keeps tracking a job that Midjourney queued (C.9 "Job queued", not a failure)', () => {
    const queued = embed('Job queued', "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start as soon as another one finishes!", 0xf7cb73, '/imagine a red fox');
    expect(readMessage(queued, 'imagine')).toMatchObject({ kind: 'queued' });
    expect(readMessage(embed('Your job will start shortly', 'You have reached the maximum allowed number of concurrent jobs.'), 'imagine').kind).toBe('queued');
  });

  it.each([
    ['Invalid parameter (TA; BK; ISS zcpua#195)', embed('Invalid parameter', 'Unrecognized parameter(s): `--foo`', 0xff0000), 'failed'],
    ['Banned prompt detected (BK; TA)', embed('Banned prompt detected', 'The word `x` is banned.', 0xff0000), 'moderated'],
    ['Banned image prompt (TA)', embed('Banned image prompt', '', 0xff0000), 'moderated'],
    ['output filters (TA)', embed('Request cancelled due to output filters', '', 0xff0000), 'moderated'],
    ['Queue full (TA; BK)', embed('Queue full', '', 0xff0000), 'failed'],
    ['Credits exhausted (TA)', embed('Credits exhausted', '', 0xff0000), 'failed'],
    ['Duplicate images detected (ER)', embed('Duplicate images detected', '', 0xff0000), 'failed'],
    ['an unknown red embed (NZ: red = error)', embed('Something new', 'The bot changed its wording', 0xff0000), 'failed'],
    ['an unknown embed whose title says error (TA)', embed('Internal Error', 'try again'), 'failed'],
    ['a content starting "Failed" (NZ)', msg('Failed to process your command'), 'failed'],
  ])('ends the job on %s', (_name, message, kind) => {
    expect(readMessage(message, 'imagine').kind).toBe(kind);
  });

  it('sends the account to a human on "Action needed to continue" and ends the job moderated', () => {
    const notice = embed('Action needed to continue', 'Sorry! Our AI moderators feel your prompt might be against our community standards. If you think this is a mistake, please press the "Appeal" button below and we will send it to a more sophisticated AI moderator to double-check the result.');
    expect(readMessage(notice, 'imagine')).toMatchObject({ kind: 'account', effect: 'needs_human', jobStatus: 'moderated', rule: 'action-needed' });
  });

  it.each([
    ['Pending mod message', 'You have a pending moderation message. Please acknowledge it before using the bot further.', 'needs_human', 596],
    ['Action required to continue', 'Please verify you are human', 'needs_human', 596],
    ['Blocked', 'You have been blocked from accessing Midjourney. This happens on repeated or serious ToS violations.', 'disabled', 403],
    ['Subscription paused', '', 'disabled', 402],
  ])('reads the account notice "%s"', (title, description, effect, code) => {
    expect(readMessage(embed(title, description, 0xff0000), 'imagine')).toMatchObject({ kind: 'account', effect, code, jobStatus: 'failed' });
  });

  it('skips the video contents that are not results (TA) and keeps what it does not understand', () => {
    expect(readMessage(msg('Displaying...'), 'imagine').kind).toBe('ignore');
    expect(readMessage(msg('Animating...'), 'imagine').kind).toBe('ignore');
    expect(readMessage(msg('a sentence the bot never said before'), 'imagine')).toEqual({ kind: 'unknown', text: 'a sentence the bot never said before' });
    expect(readMessage(embed('A friendly tip', 'Try /settings', 0x00ff00), 'imagine').kind).toBe('unknown');
  });

  it('reads the describe card (NZ, ER) and leaves its start message running', () => {
    expect(readMessage(msg(''), 'describe').kind).toBe('progress');
    const card = msg('', {
      embeds: [{ type: 'rich', description: '1️⃣ a red fox in the snow --ar 3:2\n\n2️⃣ a fox, watercolor --ar 3:2\n\n3️⃣ fox portrait --ar 3:2\n\n4️⃣ red fox at dawn --ar 3:2', image: { url: 'https://cdn.discordapp.com/in.png' } }],
      components: [{ type: 1, components: [1, 2, 3, 4].map((n) => ({ type: 2, label: String(n), custom_id: `MJ::Job::PicReader::${n}` })) }],
    });
    expect(readMessage(card, 'describe')).toMatchObject({ kind: 'result', buttons: ['1', '2', '3', '4'], prompts: ['1️⃣ a red fox in the snow --ar 3:2', '2️⃣ a fox, watercolor --ar 3:2', '3️⃣ fox portrait --ar 3:2', '4️⃣ red fox at dawn --ar 3:2'] });
    expect(describePrompts('a\n\nb\n \nc')).toEqual(['a', 'b', 'c']);
  });

  it('reads the /info card, in an embed or as content (useapi post-jobs-info)', () => {
    // useapi's copy is cut after "60.0/6"; the line is completed here with the same remaining/total shape (C.10).
    const lines = '**User ID**: 1012670791755771985\n**Subscription**: Mega (Active monthly, renews next on <t:1705181223>)\n**Visibility Mode**: Public\n**Fast Time Remaining**: 60.0/60.0 hours (100.00%)\n**Job Mode**: Fast';
    const read = readMessage(msg('', { embeds: [{ type: 'rich', title: 'Your info - someone', description: lines, color: 0x00ff00 }] }), 'info');
    expect(read).toMatchObject({ kind: 'result', info: { fastTimeRemaining: { remaining: 60, total: 60 }, mode: 'fast' } });
    expect(readMessage(msg(lines), 'info').kind).toBe('result');
    expect(parseInfo(lines).fields.Subscription).toBe('Mega (Active monthly, renews next on <t:1705181223>)');
  });

  it('reads the mode replies of /fast and /relax (A.9, TA)', () => {
    expect(readMessage(msg('Done! Note that once you exhaust your fast hours, you can purchase more on the website: <https://midjourney.com/account>. To conserve your fast hours, use `/relax`'), 'fast')).toMatchObject({ kind: 'result', mode: 'fast' });
    expect(readMessage(msg('Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with /fast'), 'relax')).toMatchObject({ kind: 'result', mode: 'relaxed' });
    expect(readMessage(msg('Done! Note that once you exhaust your fast hours…'), 'turbo')).toMatchObject({ kind: 'result', mode: 'turbo' });
    expect(readMessage(embed('Credits exhausted', '', 0xff0000), 'fast').kind).toBe('failed');
  });

  it('recognises the CAPTCHA iframe modal but not the Vary (Region) editor (C.8, C.10)', () => {
    expect(isCaptchaModal({ title: 'Action required to continue', custom_id: 'MJ::iframe::abc' })).toBe(true);
    expect(isCaptchaModal({ iframe_path: '/captcha/embedded/index.html' })).toBe(true);
    expect(isCaptchaModal({ title: 'Vary (Region)', custom_id: 'MJ::iframe::abc' })).toBe(false);
  });

  it('reads with the rules it is given (the operator’s rules file: midjourney-rules.test.ts)', () => {
    const custom = compileMidjourneyRules({ ...MIDJOURNEY_RULE_TABLE, notices: [...NOTICE_RULES, { id: 'new-wording', titles: ['Slow down'], outcome: 'queued' as const, code: 200, source: 'operator' }] });
    expect(readMessage(embed('Slow down!', 'later'), 'imagine', custom).kind).toBe('queued');
    expect(readMessage(embed('Slow down!', 'later'), 'imagine').kind).toBe('unknown');
    expect(noticeRule('  JOB QUEUED ')?.id).toBe('job-queued');
  });
});
