/**
 * The reply rules over the confirmed real strings of `real-world.md` and over the shapes a real
 * bot may use: red embeds, plain text, edits and messages no rule knows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/index.ts';
import { applyCreditFacts, creditEligibility, creditFacts, currentCredits, parseCreditReset, renderCredits, setCreditReset, type CreditReset } from '../../../src/providers/faceswap/credits.ts';
import { faceswapCredits, faceswapRuleBook, interpretFaceswap } from '../../../src/providers/faceswap/replies.ts';
import { interpretPika, pikaRuleBook } from '../../../src/providers/pika/replies.ts';
import { installRules, installRulesFile } from '../../../src/providers/rules-file.ts';
import { aliasOptions } from '../../../src/providers/shared/reply-rules.ts';
import type { CommandStep } from '../../../src/providers/index.ts';
import type { DiscordMessage } from '../../../src/discord/index.ts';
import type { AccountRecord } from '../../../src/store/index.ts';

const media: CommandStep = { kind: 'slash', command: 'swapid', options: {}, files: {}, expects: 'media' };
const text: CommandStep = { kind: 'slash', command: 'listid', options: {}, files: {}, expects: 'text' };
const headshot: CommandStep = { kind: 'slash', command: 'headshot', options: {}, files: {}, expects: 'media' };
const png = { id: 'a', filename: 'r.png', url: 'https://cdn/r.png', content_type: 'image/png' };
const message = (content: string, extra: Partial<DiscordMessage> = {}): DiscordMessage => ({
  id: '1',
  channel_id: '2',
  author: { id: '1090660574196674713', username: 'InsightFaceSwap' },
  content,
  attachments: [],
  embeds: [],
  timestamp: '2024-02-01T02:05:24.991000+00:00',
  ...extra,
});
const embed = (e: Record<string, unknown>, content = '<@9>') => message(content, { embeds: [e] });
/** The confirmed Job Submitted text, two spaces after the mention (real-world.md §2). */
const SUBMITTED = "<@1096486543217197127>  Picsi.Ai Headshot Job Submitted [jobid: 8a1f574fdbf79e8cd57e070476d9d5f3] [credits: 4] [prompt: 'me, a mad king --square']";

afterEach(() => {
  faceswapRuleBook.reset();
  pikaRuleBook.reset();
  setCreditReset(parseCreditReset('after:24h') as CreditReset);
});

describe('reading InsightFaceSwap replies: the confirmed real strings', () => {
  it('reads `command sent` as the acknowledgement of a running job', () => {
    expect(interpretFaceswap(message('command sent'), media)).toEqual({ kind: 'progress' });
    expect(interpretFaceswap(message('<@9> command sent'), media)).toEqual({ kind: 'progress' });
    // On a text command the acknowledgement is not the answer either.
    expect(interpretFaceswap(message('command sent'), text)).toEqual({ kind: 'progress' });
  });

  it('reads the Job Submitted text (two spaces after the mention) as submitted, whatever its prompt says', () => {
    expect(interpretFaceswap(message(SUBMITTED), headshot)).toEqual({ kind: 'submitted' });
    const scary = SUBMITTED.replace('me, a mad king --square', 'an error occurred, nsfw, out of credits');
    expect(interpretFaceswap(message(scary), headshot)).toEqual({ kind: 'submitted' });
    expect(interpretFaceswap(message(SUBMITTED.replace('Headshot', 'ChangeBG')), headshot)).toEqual({ kind: 'submitted' });
  });

  it('counts the cost printed in Job Submitted once, and not again in a completed message with the same jobid', () => {
    const submitted = faceswapCredits(null, message(SUBMITTED), { kind: 'submitted' }, Date.parse('2024-02-01T03:00:00Z'));
    expect(submitted).toEqual({ timestamp: '2024-02-01T02:05:24.991000+00:00', used: 4 });
    const completed = message('<@9>  Picsi.Ai Headshot Job Completed [jobid: 8a1f574fdbf79e8cd57e070476d9d5f3] [credits: 4]', { attachments: [png] });
    expect(faceswapCredits(submitted!, completed, { kind: 'done' }, Date.parse('2024-02-01T03:00:00Z'))).toBeUndefined();
    // A synchronous result that prints its cost counts when it is the result.
    const result = message('<@9> here you go [credits: 1]', { attachments: [png] });
    expect(faceswapCredits(submitted!, result, { kind: 'done' }, Date.parse('2024-02-01T03:00:00Z'))).toMatchObject({ used: 5 });
  });
});

describe('reading replies by structure', () => {
  it('takes a message with an image, a video or an embed image as the result', () => {
    expect(interpretFaceswap(message('<@9>', { attachments: [png] }), media).kind).toBe('done');
    expect(interpretFaceswap(message('', { attachments: [{ id: 'v', filename: 'out.mp4', url: 'u' }] }), media).kind).toBe('done');
    expect(interpretFaceswap(embed({ title: 'Result', image: { url: 'https://cdn/x.png' } }), media).kind).toBe('done');
    // A thumbnail is decoration, not a result.
    expect(interpretFaceswap(embed({ description: 'working', thumbnail: { url: 'https://cdn/logo.png' } }), media).kind).not.toBe('done');
  });

  it('fails on a red embed with its text, with only a mention in content (the shape an outside check found unrecognised)', () => {
    const refusal = embed({ title: 'Oops', description: 'The idname `bob` is not registered', color: 0xed4245 });
    expect(interpretFaceswap(refusal, media)).toEqual({ kind: 'failed', error: 'Oops\nThe idname `bob` is not registered' });
    for (const color of [0xff0000, 0xe74c3c, 0x992d22, 0xdd2e44]) expect(interpretFaceswap(embed({ description: 'x', color }), media).kind).toBe('failed');
  });

  it('fails on an embed whose title marks an error, whatever its colour, reading fields and footer', () => {
    const verdict = interpretFaceswap(embed({ title: '❌ Swap failed', fields: [{ name: 'Reason', value: 'face too small' }], footer: { text: 'Picsi.Ai' }, color: 0x2f3136 }), media);
    expect(verdict).toEqual({ kind: 'failed', error: '❌ Swap failed\nReason: face too small\nPicsi.Ai' });
    expect(interpretFaceswap(embed({ title: 'Error', description: 'Something' }), text).kind).toBe('failed');
  });

  it('reads moderation wording in a red embed as moderated', () => {
    expect(interpretFaceswap(embed({ title: 'Blocked', description: 'This image was flagged as NSFW', color: 0xff0000 }), media)).toEqual({ kind: 'moderated', error: 'Blocked\nThis image was flagged as NSFW' });
  });

  it('does not treat an informational embed (not red, no error title) as a failure', () => {
    const info = embed({ title: 'Your identities', description: 'alice, bob — unknown ids must be saved first', color: 0x5865f2 });
    expect(interpretFaceswap(info, text)).toEqual({ kind: 'done', text: 'Your identities\nalice, bob — unknown ids must be saved first' });
  });

  it('prefers a red embed over an attachment on the same message', () => {
    expect(interpretFaceswap(embed({ description: 'failed to swap', color: 0xff0000 }, '<@9>'), media).kind).toBe('failed');
    expect(interpretFaceswap({ ...embed({ description: 'failed', color: 0xff0000 }), attachments: [png] }, media).kind).toBe('failed');
  });
});

describe('reading plain-text replies', () => {
  it.each([
    ['an error mentioning "processing" is still an error', '<@9> an error occurred while processing your request', 'failed'],
    ['no face is a failure', '<@9> no face detected in the image', 'failed'],
    ['an unknown idname is a failure', '<@9> idname `zed` not found', 'failed'],
    ['out of credits is a failure', '<@9> you are out of credits for today', 'failed'],
    ['a flagged image is moderated', '<@9> this image was flagged as inappropriate', 'moderated'],
    ['a progress word keeps a media job running', '<@9> processing your image', 'progress'],
  ])('%s', (_case, content, kind) => {
    expect(interpretFaceswap(message(content), media).kind).toBe(kind);
  });

  it('marks an out-of-credits refusal so the account can be held back', () => {
    expect(interpretFaceswap(message('<@9> Not enough credits, please wait for the reset'), media)).toMatchObject({ kind: 'failed', outOfCredits: true });
  });

  it('ends a text command with its first non-acknowledgement reply, unless that is a clear refusal', () => {
    expect(interpretFaceswap(message('<@9> saved ids (1/20): alice'), text)).toEqual({ kind: 'done', text: 'saved ids (1/20): alice' });
    expect(interpretFaceswap(message('<@9> idname `zed` does not exist'), text).kind).toBe('failed');
  });

  it.each([
    'Saved ids: alice. Names must be letters or digits.',
    'Default id set. Unknown faces are skipped with _.',
    'prefer options: --greedy (invalid combinations are ignored)',
    'No saved ids yet. Files not found on disk are skipped.',
  ])('never turns an ordinary reply into a failure because of a common word: %s', (content) => {
    expect(interpretFaceswap(message(`<@9> ${content}`), text).kind).toBe('done');
  });

  it('keeps a media job waiting on a text it does not understand, as unclassified', () => {
    expect(interpretFaceswap(message('<@9> your picture is on its way'), media)).toEqual({ kind: 'unclassified', text: 'your picture is on its way' });
  });

  it('reads an edited message as it is now (an acknowledgement edited into the result)', () => {
    const ack = message('<@9> command sent', { id: '77' });
    expect(interpretFaceswap(ack, media).kind).toBe('progress');
    const edited = { ...ack, content: '<@9> done', attachments: [png], edited_timestamp: '2024-02-01T02:06:00+00:00' };
    expect(interpretFaceswap(edited, media).kind).toBe('done');
    const editedToError = { ...ack, content: '<@9>', embeds: [{ description: 'Swap failed', color: 0xed4245 }] };
    expect(interpretFaceswap(editedToError, media)).toEqual({ kind: 'failed', error: 'Swap failed' });
  });

  it('ignores an empty message and treats a deferred "thinking" placeholder as progress', () => {
    expect(interpretFaceswap(message(''), media).kind).toBe('ignore');
    expect(interpretFaceswap(message('', { flags: 1 << 7 }), media).kind).toBe('progress');
  });
});

describe('reading Pika replies', () => {
  const create: CommandStep = { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' };
  it('takes the confirmed final message with its MP4 as the result', () => {
    const final = message('<@9> Prompt: smiling and blinking --size 100  Image: 1 Attachment  Author: <@9>', { attachments: [{ id: 'v', filename: 'smiling_and_blinking_seed123.mp4', url: 'u', content_type: 'video/mp4' }] });
    expect(interpretPika(final, create).kind).toBe('done');
  });
  it('reads percentages as progress and too many jobs as a refusal with advice', () => {
    expect(interpretPika(message('<@9> Prompt: x — Generating (50%)'), create)).toEqual({ kind: 'progress', percent: 50 });
    expect(interpretPika(message('<@9> You already have 3 jobs in progress.'), create)).toMatchObject({ kind: 'failed', error: expect.stringContaining('Lower maxJobs') });
  });
});

describe('the operator rules file', () => {
  const write = (content: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-')), 'rules.json');
    fs.writeFileSync(file, content);
    return file;
  };
  const books = [faceswapRuleBook, pikaRuleBook];

  it('extends a list, so a new wording becomes a configuration change', () => {
    expect(interpretFaceswap(message('<@9> idname zed is not registered'), text).kind).toBe('done');
    installRulesFile(write(JSON.stringify({ faceswap: { refusal: ['\\bis not registered\\b'] } })), books);
    expect(interpretFaceswap(message('<@9> idname zed is not registered'), text).kind).toBe('failed');
    // The built-in rules are still there.
    expect(interpretFaceswap(message('<@9> no face detected'), media).kind).toBe('failed');
  });

  it('replaces a list with { "replace": [...] }', () => {
    installRules({ faceswap: { acknowledgement: { replace: ['^\\W*command received\\b'] } } }, books);
    expect(interpretFaceswap(message('<@9> command received'), media).kind).toBe('progress');
    expect(interpretFaceswap(message('<@9> command sent'), media).kind).toBe('unclassified');
  });

  it('reads usage only from an operator rule (the simulator-only [used: U/T] is not built in)', () => {
    const msg = message('<@9> done [credits: 1] [used: 18/50]', { attachments: [png] });
    expect(faceswapCredits(null, msg, { kind: 'done' }, 0)).toEqual({ timestamp: msg.timestamp, used: 1 });
    installRules({ faceswap: { usage: ['\\[used:\\s*(?<used>\\d+)\\s*/\\s*(?<total>\\d+)\\]'] } }, books);
    expect(faceswapCredits(null, msg, { kind: 'done' }, 0)).toEqual({ timestamp: msg.timestamp, used: 18, total: 50 });
  });

  it.each([
    [{ midjourney: {} }, /rules\.midjourney: is not a bot switchboard knows/],
    [{ faceswap: { refusals: [] } }, /rules\.faceswap\.refusals: is not a rule list/],
    [{ faceswap: { refusal: ['ok', '(unclosed'] } }, /rules\.faceswap\.refusal\[\d+\]: is not a valid regular expression/],
    [{ faceswap: { refusal: [42] } }, /rules\.faceswap\.refusal\[0\]: must be a string/],
    [{ faceswap: { usage: ['\\d+'] } }, /rules\.faceswap\.usage\[0\]: needs a named group/],
    [{ faceswap: { errorColour: ['red'] } }, /rules\.faceswap\.errorColour\[0\]: must be a colour/],
    [{ faceswap: { optionAliases: { idname: 'names' } } }, /rules\.faceswap\.optionAliases\.idname: must be named "command\.option"/],
  ])('refuses a bad entry with a ConfigError naming it (%j)', (override, pattern) => {
    expect(() => installRules(override, books)).toThrow(ConfigError);
    expect(() => installRules(override, books)).toThrow(pattern);
  });

  it('sends renamed options under the name the operator mapped them to', () => {
    const step = { kind: 'slash' as const, command: 'swapid', options: { idname: 'alice' }, files: { image: 'image' }, expects: 'media' as const };
    expect(aliasOptions(step, { 'swapid.idname': 'names', 'saveid.image': 'photo' })).toEqual({ ...step, options: { names: 'alice' }, files: { image: 'image' } });
  });

  it('refuses a file that is missing or not JSON', () => {
    expect(() => installRulesFile('/nonexistent/rules.json', books)).toThrow(/cannot read/);
    expect(() => installRulesFile(write('{ nope'), books)).toThrow(/not valid JSON/);
  });
});

describe('honest credits', () => {
  const account = (credits: AccountRecord['credits']) => ({ channel: '42', credits }) as AccountRecord;
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  const refusal = message('<@9> you have run out of credits');

  it('marks the account out of credits on a refusal that says so, and puts it back after the reset rule (default after:24h)', () => {
    const verdict = interpretFaceswap(refusal, media);
    const facts = creditFacts(faceswapRuleBook.current, refusal, verdict)!;
    const credits = applyCreditFacts({ timestamp: 'x', used: 12 }, facts, t0, '2026-03-01T10:00:00Z');
    expect(credits).toMatchObject({ used: 12, exhaustedAt: t0 });
    expect(creditEligibility(account(credits), t0 + 60_000)).toMatchObject({ ok: false, error: expect.stringContaining('2026-03-02T10:00:00.000Z') });
    expect(creditEligibility(account(credits), t0 + 24 * 3_600_000)).toEqual({ ok: true });
    expect(currentCredits(credits, t0 + 24 * 3_600_000)).toEqual({ timestamp: '2026-03-01T10:00:00Z', used: 0 });
  });

  it('follows a daily@HH:MM rule and never assumes midnight', () => {
    setCreditReset(parseCreditReset('daily@07:30') as CreditReset);
    const credits = { timestamp: '2026-03-01T10:00:00.000Z', used: 50, exhaustedAt: t0 };
    expect(creditEligibility(account(credits), Date.parse('2026-03-02T00:00:01Z')).ok).toBe(false);
    expect(creditEligibility(account(credits), Date.parse('2026-03-02T07:30:00Z')).ok).toBe(true);
  });

  it('with `never`, waits for the operator', () => {
    setCreditReset(parseCreditReset('never') as CreditReset);
    expect(creditEligibility(account({ timestamp: 'x', used: 1, exhaustedAt: t0 }), t0 + 365 * 86_400_000).ok).toBe(false);
  });

  it('shows used, and total only when the bot printed one', () => {
    expect(renderCredits({ timestamp: 't', used: 5 }, t0)).toEqual({ timestamp: 't', used: 5 });
    expect(renderCredits({ timestamp: 't', used: 5, exhaustedAt: t0 }, t0)).toEqual({ timestamp: 't', used: 5, outOfCredits: true, resetsAt: '2026-03-02T10:00:00.000Z' });
  });

  it('rejects reset rules it cannot follow', () => {
    expect(parseCreditReset('midnight')).toHaveProperty('error');
    expect(parseCreditReset('after:10s')).toHaveProperty('error');
    expect(parseCreditReset('daily@25:00')).toHaveProperty('error');
  });
});
