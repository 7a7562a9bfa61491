/**
 * Midjourney's reply-rule data through the operator's rules file (`SWITCHBOARD_BOT_RULES`):
 * merged with the built-in tables of `rules.ts`, checked entry by entry. Fixtures are the formats
 * of midjourney.md Part C (C.5, C.8, C.9, C.10).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/index.ts';
import { faceswapRuleBook } from '../../../src/providers/faceswap/replies.ts';
import { modalPromptField } from '../../../src/providers/midjourney/index.ts';
import { isCaptchaModal, parseInfo, readMessage, type BotMessage } from '../../../src/providers/midjourney/replies.ts';
import { midjourneyRuleBook } from '../../../src/providers/midjourney/rule-book.ts';
import { installRules, installRulesFile } from '../../../src/providers/rules-file.ts';

const books = [faceswapRuleBook, midjourneyRuleBook];
afterEach(() => {
  faceswapRuleBook.reset();
  midjourneyRuleBook.reset();
});

const msg = (content: string, extra: Partial<BotMessage> = {}): BotMessage => ({ id: '1', content, attachments: [], embeds: [], components: [], ...extra });
const embed = (title: string, description: string, color?: number, footer?: string): BotMessage =>
  msg('', { embeds: [{ type: 'rich', title, description, ...(color !== undefined ? { color } : {}), ...(footer ? { footer: { text: footer } } : {}) }] });
const QUEUED_TEXT = "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start as soon as another one finishes!";

describe('Midjourney rules in the operator’s rules file', () => {
  it('adds a notice title → outcome mapping: a new "Job queued" wording keeps the job tracked', () => {
    // C.9's queue notice (amber, footer /imagine …) under a wording the table does not know yet.
    const reworded = embed('Job waiting for a slot', QUEUED_TEXT, 0xf7cb73, '/imagine a red fox');
    expect(readMessage(reworded, 'imagine').kind).toBe('unknown');
    installRules({ midjourney: { notices: [{ id: 'job-waiting', titles: ['Job waiting for a slot'], outcome: 'queued' }] } }, books);
    expect(readMessage(reworded, 'imagine')).toMatchObject({ kind: 'queued' });
    // The built-in rules still apply.
    expect(readMessage(embed('Job queued', QUEUED_TEXT, 0xf7cb73), 'imagine').kind).toBe('queued');
    expect(readMessage(embed('Invalid parameter', 'Unrecognized parameter(s): `--foo`', 0xff0000), 'imagine')).toMatchObject({ kind: 'failed', code: 400, rule: 'invalid-parameter' });
  });

  it('replaces a built-in notice by its id, where it stands (TA disables an account on "Credits exhausted")', () => {
    const exhausted = embed('Credits exhausted', '', 0xff0000);
    expect(readMessage(exhausted, 'imagine')).toMatchObject({ kind: 'failed', code: 402 });
    installRules({ midjourney: { notices: [{ id: 'credits-exhausted', titles: ['Credits exhausted'], outcome: 'disabled', code: 402 }] } }, books);
    expect(readMessage(exhausted, 'imagine')).toMatchObject({ kind: 'account', effect: 'disabled', code: 402, jobStatus: 'failed', rule: 'credits-exhausted' });
  });

  it('checks new notices before the built-in ones, so a longer title wins over the built-in it starts with', () => {
    const detected = embed('Banned prompt detected', 'The word `x` is banned.', 0xff0000);
    expect(readMessage(detected, 'imagine')).toMatchObject({ kind: 'moderated', rule: 'banned-prompt' });
    installRules({ midjourney: { notices: [{ id: 'banned-word', titles: ['Banned prompt detected'], outcome: 'failed', code: 400, source: 'ops ticket 12' }] } }, books);
    expect(readMessage(detected, 'imagine')).toMatchObject({ kind: 'failed', code: 400, rule: 'banned-word' });
    expect(readMessage(embed('Banned image prompt', '', 0xff0000), 'imagine')).toMatchObject({ kind: 'moderated', rule: 'banned-prompt' });
  });

  it('replaces the whole notice table with { "replace": [...] }', () => {
    installRules({ midjourney: { notices: { replace: [{ id: 'only-queue', titles: ['Job queued'], outcome: 'queued' }] } } }, books);
    expect(readMessage(embed('Job queued', QUEUED_TEXT, 0xf7cb73), 'imagine').kind).toBe('queued');
    // "Blocked" is no longer a notice; it is red, so it still fails the job (C.9: anything red).
    expect(readMessage(embed('Blocked', 'You have been blocked from accessing Midjourney. This happens on repeated or serious ToS violations.', 0xff0000), 'imagine')).toMatchObject({ kind: 'failed', code: 422 });
  });

  it('extends the word lists: skipped contents, failed prefixes, mode replies, error colours and title words', () => {
    expect(readMessage(msg('Rendering...'), 'imagine').kind).toBe('unknown');
    expect(readMessage(msg('Could not process your command'), 'imagine').kind).toBe('unknown');
    expect(readMessage(msg('All set! Relax mode is on.'), 'relax').kind).toBe('unknown');
    expect(readMessage(embed('Something new', 'in yellow', 0xffff00), 'imagine').kind).toBe('unknown');
    expect(readMessage(embed('Request refused', 'no'), 'imagine').kind).toBe('unknown');
    installRules(
      {
        midjourney: {
          skippedContents: ['Rendering...'],
          failedContentPrefixes: ['Could not'],
          modeReplyPrefixes: ['All set!'],
          errorColours: ['#ffff00'],
          errorTitleWords: ['refused'],
        },
      },
      books,
    );
    expect(readMessage(msg('Rendering...'), 'imagine').kind).toBe('ignore');
    expect(readMessage(msg('Could not process your command'), 'imagine')).toMatchObject({ kind: 'failed', error: 'Could not process your command' });
    expect(readMessage(msg('All set! Relax mode is on.'), 'relax')).toMatchObject({ kind: 'result', mode: 'relaxed' });
    expect(readMessage(embed('Something new', 'in yellow', 0xffff00), 'imagine').kind).toBe('failed');
    expect(readMessage(embed('Request refused', 'no'), 'imagine').kind).toBe('failed');
    // The built-in entries stay (arrays add).
    expect(readMessage(msg('Displaying...'), 'imagine').kind).toBe('ignore');
    expect(readMessage(msg('Failed to process your command'), 'imagine').kind).toBe('failed');
  });

  it('reads a renamed /info card, a renamed modal prompt field and CAPTCHA modal through operator entries (C.5, C.8, C.10)', () => {
    const card = '**User ID**: 1012670791755771985\n**Fast Hours Left**: 12.5/15.0 hours\n**Speed**: Relax';
    expect(parseInfo(card).fastTimeRemaining).toBeUndefined();
    const form = { custom_id: 'MJ::RemixModal::x', title: 'Remix Prompt', components: [{ type: 1, components: [{ type: 4, custom_id: 'MJ::RemixModal::text' }, { type: 4, custom_id: 'MJ::RemixModal::notes' }] }] };
    expect(modalPromptField(form)).toBeUndefined();
    expect(isCaptchaModal({ title: 'Verify you are human' })).toBe(false);
    installRules({ midjourney: { infoFastTimeKeys: ['Fast Hours Left'], infoJobModeKeys: ['Speed'], modalPromptFields: ['::text$'], captchaModalTitles: ['Verify you are human'] } }, books);
    expect(parseInfo(card)).toMatchObject({ fastTimeRemaining: { remaining: 12.5, total: 15 }, mode: 'relaxed' });
    expect(modalPromptField(form)).toBe('MJ::RemixModal::text');
    expect(isCaptchaModal({ title: 'Verify you are human' })).toBe(true);
    expect(isCaptchaModal({ title: 'Action required to continue' })).toBe(true);
  });

  it.each([
    [{ midjourney: { notice: [] } }, /rules\.midjourney\.notice: is not a Midjourney rule list/],
    [{ midjourney: { notices: 'Job queued' } }, /rules\.midjourney\.notices: must be an array of notice rules/],
    [{ midjourney: { notices: [{ id: 'x', titles: ['Slow'], outcome: 'paused' }] } }, /rules\.midjourney\.notices\[0\]\.outcome: must be one of failed, moderated, queued, needs_human, disabled/],
    [{ midjourney: { notices: [{ id: 'x', title: 'Slow', outcome: 'queued' }] } }, /rules\.midjourney\.notices\[0\]\.title: is not a notice field/],
    [{ midjourney: { notices: [{ id: 'x', titles: [], outcome: 'queued' }] } }, /rules\.midjourney\.notices\[0\]\.titles: must be a non-empty array/],
    [{ midjourney: { notices: [{ id: 'x', titles: ['ok', ' '], outcome: 'queued' }] } }, /rules\.midjourney\.notices\[0\]\.titles\[1\]: must be a non-empty string/],
    [{ midjourney: { notices: [{ id: 'x', titles: ['Slow'], outcome: 'failed', code: 999 }] } }, /rules\.midjourney\.notices\[0\]\.code: must be a status code/],
    [{ midjourney: { notices: [{ id: 'has space', titles: ['Slow'], outcome: 'failed' }] } }, /rules\.midjourney\.notices\[0\]\.id: must be a name/],
    [{ midjourney: { notices: [{ id: 'x', titles: ['Slow'], outcome: 'queued', retryable: 'yes' }] } }, /rules\.midjourney\.notices\[0\]\.retryable: must be true or false/],
    [{ midjourney: { notices: { replace: [{ id: 'a', titles: ['A'], outcome: 'failed' }, { id: 'a', titles: ['B'], outcome: 'failed' }] } } }, /rules\.midjourney\.notices\.replace\[1\]\.id: repeats "a"/],
    [{ midjourney: { skippedContents: ['ok', 42] } }, /rules\.midjourney\.skippedContents\[1\]: must be a non-empty string/],
    [{ midjourney: { modalPromptFields: ['(unclosed'] } }, /rules\.midjourney\.modalPromptFields\[0\]: is not a valid regular expression/],
    [{ midjourney: { errorColours: ['red'] } }, /rules\.midjourney\.errorColours\[0\]: must be a colour/],
    [{ midjourney: [] }, /rules\.midjourney: must be an object of rule lists/],
  ])('refuses a bad entry with a ConfigError naming it (%j)', (override, pattern) => {
    expect(() => installRules(override, books)).toThrow(ConfigError);
    expect(() => installRules(override, books)).toThrow(pattern);
  });

  it('installs nothing when any entry of the file is bad, and a restart without the file restores the built-in tables', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-')), 'rules.json');
    const slow = embed('Slow down', 'later', 0xf7cb73);
    fs.writeFileSync(file, JSON.stringify({ midjourney: { notices: [{ id: 'slow', titles: ['Slow down'], outcome: 'queued' }] }, faceswap: { refusal: ['(unclosed'] } }));
    expect(() => installRulesFile(file, books)).toThrow(/rules\.faceswap\.refusal\[\d+\]: is not a valid regular expression/);
    expect(readMessage(slow, 'imagine').kind).toBe('unknown');
    fs.writeFileSync(file, JSON.stringify({ midjourney: { notices: [{ id: 'slow', titles: ['Slow down'], outcome: 'queued' }] } }));
    installRulesFile(file, books);
    expect(readMessage(slow, 'imagine').kind).toBe('queued');
    installRulesFile(undefined, books);
    expect(readMessage(slow, 'imagine').kind).toBe('unknown');
  });
});
