/**
 * The button model against the real `custom_id` formats of midjourney.md C.7 (hash from C.7's
 * example) and the label rule of C.4.
 */
import { describe, expect, it } from 'vitest';
import {
  buttonKind,
  buttonNames,
  canonicalName,
  customIdFor,
  findButton,
  isOncePerParent,
  jobHash,
  actionOf,
} from '../../../src/providers/midjourney/buttons.ts';

const HASH = '8b831f86-c093-4f17-8570-2159888840aa';
const button = (custom_id: string, label?: string, emoji?: string) => ({ type: 2, style: 2, custom_id, ...(label !== undefined ? { label } : {}), ...(emoji ? { emoji: { name: emoji } } : {}) });
const row = (...components: unknown[]) => ({ type: 1, components });

/** C.7, one row per documented id. */
const CATALOGUE: [customId: string, name: string][] = [
  [`MJ::JOB::upsample::1::${HASH}`, 'U1'],
  [`MJ::JOB::upsample::4::${HASH}`, 'U4'],
  [`MJ::JOB::variation::2::${HASH}`, 'V2'],
  [`MJ::JOB::reroll::0::${HASH}::SOLO`, '🔄'],
  [`MJ::JOB::low_variation::1::${HASH}::SOLO`, 'Vary (Subtle)'],
  [`MJ::JOB::high_variation::1::${HASH}::SOLO`, 'Vary (Strong)'],
  [`MJ::Inpaint::1::${HASH}::SOLO`, 'Vary (Region)'],
  [`MJ::Outpaint::50::1::${HASH}::SOLO`, 'Zoom Out 2x'],
  [`MJ::Outpaint::75::1::${HASH}::SOLO`, 'Zoom Out 1.5x'],
  [`MJ::CustomZoom::${HASH}`, 'Custom Zoom'],
  [`MJ::JOB::pan_left::1::${HASH}::SOLO`, '⬅️'],
  [`MJ::JOB::pan_right::1::${HASH}::SOLO`, '➡️'],
  [`MJ::JOB::pan_up::1::${HASH}::SOLO`, '⬆️'],
  [`MJ::JOB::pan_down::1::${HASH}::SOLO`, '⬇️'],
  [`MJ::JOB::upsample_v6_2x_subtle::1::${HASH}::SOLO`, 'Upscale (Subtle)'],
  [`MJ::JOB::upsample_v6r1_2x_creative::1::${HASH}::SOLO`, 'Upscale (Creative)'],
  [`MJ::JOB::upsample_v7_2x_subtle::1::${HASH}::SOLO`, 'Upscale (Subtle)'],
  [`MJ::JOB::upsample_v5_2x::1::${HASH}::SOLO`, 'Upscale (2x)'],
  [`MJ::JOB::upsample_v5_4x::1::${HASH}::SOLO`, 'Upscale (4x)'],
  [`MJ::JOB::animate_high::1::${HASH}::SOLO`, 'Animate (High motion)'],
  [`MJ::JOB::animate_low::1::${HASH}::SOLO`, 'Animate (Low motion)'],
  [`MJ::JOB::animate_high_extend::1::${HASH}`, 'Extend (High motion)'],
  [`MJ::JOB::animate_low_extend::2::${HASH}`, 'Extend (Low motion)'],
  ['MJ::Job::PicReader::3', '3'],
];

describe('Midjourney buttons', () => {
  it.each(CATALOGUE)('reads %s as %s, whatever the label says', (customId, name) => {
    expect(buttonKind(button(customId, 'something else'))?.name).toBe(name);
  });

  it.each(CATALOGUE.filter(([, name]) => !/^\d$/.test(name)))('builds the custom id of %s back from its name and the hash', (customId, name) => {
    const version = /upsample_(v\w+?)_2x_(subtle|creative)/.exec(customId)?.[1];
    if (/Extend/.test(name)) return; // Extend carries the image index of a video, not the hash alone
    expect(customIdFor(name, HASH, version)).toBe(customId);
  });

  it('falls back to the label, or the emoji when the label is empty, for ids of unknown shape', () => {
    expect(buttonKind(button('MJ::JOB::redo_upscale_whatever::1', 'Redo Upscale (Subtle)'))).toEqual({ name: 'Redo Upscale (Subtle)', action: 'upscale-real' });
    expect(buttonKind(button('MJ::Unknown::1', '', '⬅'))?.name).toBe('⬅️');
    expect(buttonKind(button('MJ::Unknown::2', 'Make Square'))).toEqual({ name: 'Make Square', action: 'other' });
  });

  it('leaves controls out of the job’s buttons: Cancel Job, the favourite, links, disabled buttons', () => {
    const components = [
      row(button(`MJ::JOB::upsample::1::${HASH}`, 'U1'), button(`MJ::JOB::upsample::2::${HASH}`, 'U2'), { ...button(`MJ::JOB::upsample::3::${HASH}`, 'U3'), disabled: true }),
      row(button(`MJ::CancelJob::ByJobid::${HASH}`, 'Cancel Job'), button(`MJ::BOOKMARK::${HASH}`, '', '❤️'), { type: 2, style: 5, label: 'Web', url: `https://www.midjourney.com/jobs/${HASH}` }),
      row(button(`MJ::JOB::reroll::0::${HASH}::SOLO`, '', '🔄')),
    ];
    expect(buttonNames(components)).toEqual(['U1', 'U2', '🔄']);
  });

  it('finds the component of a named button, accepting arrows with or without the variation selector', () => {
    const components = [row(button(`MJ::JOB::pan_left::1::${HASH}::SOLO`, '', '⬅️'), button(`MJ::JOB::variation::1::${HASH}`, 'V1'))];
    expect(findButton(components, '⬅')?.customId).toBe(`MJ::JOB::pan_left::1::${HASH}::SOLO`);
    expect(findButton(components, ' V1 ')?.kind).toEqual({ name: 'V1', action: 'variation' });
    expect(findButton(components, 'U1')).toBeUndefined();
    expect(canonicalName('➡')).toBe('➡️');
  });

  it('runs U1–U4 once per parent and nothing else', () => {
    expect(['U1', 'U2', 'U3', 'U4'].every(isOncePerParent)).toBe(true);
    expect(['V1', '🔄', 'Upscale (Subtle)', 'U5'].some(isOncePerParent)).toBe(false);
    expect(actionOf('Vary (Region)')).toBe('region');
    expect(actionOf('Custom Zoom')).toBe('custom-zoom');
  });

  it('reads the job hash from the file name variants of C.11, else from a button id', () => {
    expect(jobHash({ attachments: [{ filename: `someone_Baby_${HASH}.png` }] })).toBe(HASH);
    expect(jobHash({ attachments: [{ filename: `someone_Baby_${HASH}_grid_0.webp` }] })).toBe(HASH);
    expect(jobHash({ attachments: [{ filename: `${HASH}_0_0.png` }] })).toBe(HASH);
    expect(jobHash({ attachments: [{ filename: 'preview.webp' }], components: [row(button(`MJ::CancelJob::ByJobid::${HASH}`, 'Cancel Job'))] })).toBe(HASH);
    expect(jobHash({ attachments: [] })).toBeUndefined();
  });
});
