/** Midjourney's forms (midjourney.md C.8, C.10): which are submitted, with what, and which end the job. */
import { describe, expect, it } from 'vitest';
import { fastHours, modalAnswer, modalPromptField } from '../../../src/providers/midjourney/index.ts';
import type { CommandStep } from '../../../src/providers/index.ts';

const HASH = '8b831f86-c093-4f17-8570-2159888840aa';
const modal = (custom_id: string, field: string, value = 'a cat --v 6.1') => ({ id: '1', custom_id, title: 'Remix Prompt', channel_id: '2', components: [{ type: 1, components: [{ type: 4, custom_id: field, value }] }] });
const button = (text?: string): CommandStep => ({ kind: 'button', button: 'V1', messageId: '3', expects: 'media', ...(text ? { text } : {}) });

describe('Midjourney modals', () => {
  it.each([
    [`MJ::RemixModal::${HASH}::1::1`, 'MJ::RemixModal::new_prompt'],
    [`MJ::PanModal::left::${HASH}::1`, 'MJ::PanModal::prompt'],
    ['MJ::ImagineModal::1234', 'MJ::ImagineModal::new_prompt'],
    [`MJ::OutpaintCustomZoomModal::${HASH}`, 'MJ::OutpaintCustomZoomModal::prompt'],
    ['MJ::Picreader::Modal::2', 'MJ::Picreader::Modal::PromptField'],
  ])('fills the prompt field of %s with the caller’s prompt', (id, field) => {
    expect(modalAnswer(modal(id, field), button('a dog'))).toEqual({ kind: 'submit', values: { [field]: 'a dog' } });
  });

  it('keeps the prefilled prompt when the caller gave none', () => {
    expect(modalAnswer(modal(`MJ::RemixModal::${HASH}::1::1`, 'MJ::RemixModal::new_prompt'), button())).toEqual({ kind: 'submit', values: {} });
  });

  it('finds inputs wrapped in Label components too', () => {
    expect(modalPromptField({ components: [{ type: 18, component: { type: 4, custom_id: 'MJ::RemixModal::new_prompt' } }] })).toBe('MJ::RemixModal::new_prompt');
  });

  it('fails the job on a form it cannot fill, and holds the account on the CAPTCHA', () => {
    expect(modalAnswer({ custom_id: 'MJ::Something', title: 'Pick one', components: [{ type: 1, components: [{ type: 3, custom_id: 'select' }] }] }, button())).toMatchObject({ kind: 'failed' });
    expect(modalAnswer({ custom_id: 'MJ::iframe::abc', title: 'Action required to continue' }, button())).toMatchObject({ kind: 'failed', code: 596, hold: { detail: expect.stringContaining('CAPTCHA') } });
  });
});

describe('Midjourney fast hours', () => {
  it('reads remaining/total from the /info card as credits', () => {
    const message = { id: '1', channel_id: '2', author: { id: '936929561302675456' }, timestamp: '2026-01-01T00:00:00.000000+00:00', content: '', embeds: [{ title: 'Your info - me', description: '**Subscription**: Standard\n**Job Mode**: Fast\n**Fast Time Remaining**: 12.25/15.00 hours (81.67%)' }] };
    expect(fastHours(message as never)).toEqual({ timestamp: '2026-01-01T00:00:00.000000+00:00', total: 15, used: 2.75 });
    expect(fastHours({ ...message, embeds: [] } as never)).toBeUndefined();
  });
});
