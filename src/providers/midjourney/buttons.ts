/**
 * The Midjourney button model: useapi's button names (`U1`, `🔄`, `Vary (Strong)` …) ↔ the real
 * bot's component `custom_id`s (midjourney.md C.7), both ways.
 *
 * A button's useapi name is read from its `custom_id` when the id has a known shape (structure
 * first: ids are stable across model versions while labels are not), else from its label, or its
 * emoji when the label is empty (C.4: "label, or emoji.name when the label is empty"). Buttons
 * that are not results (Cancel Job, the favourite, link buttons) never appear in a job's
 * `buttons`. Going back, a name is resolved on the parent's result message to the component that
 * carries it now, and only when that message is gone is a `custom_id` built from the job hash.
 */

/** `<hash>`: the Midjourney job UUID that the bot's ids and file names carry. */
const HASH = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

/** What pressing a button does, which decides how its result is read and whether a modal may open. */
export type ButtonAction =
  | 'upscale' // U1–U4: picks one image of a grid; runs once per parent
  | 'variation' // V1–V4, Vary (Strong/Subtle): a new grid
  | 'reroll' // 🔄: the whole job again
  | 'region' // Vary (Region): a web-app modal with a mask (not supported)
  | 'zoom' // Zoom Out 2x / 1.5x: a new grid
  | 'custom-zoom' // Custom Zoom: always a modal with the prompt
  | 'pan' // ⬅️ ➡️ ⬆️ ⬇️: a new grid
  | 'upscale-real' // Upscale (Subtle/Creative/2x/4x), Redo Upscale: one larger image
  | 'animate' // Animate / Extend: a video
  | 'describe-imagine' // the describe result's 1–4: an imagine of that suggestion (modal)
  | 'remaster' // old-model Remaster: a new grid
  | 'other'; // a result button known only by its label (Make Square, Make Variations …)

export interface ButtonKind {
  name: string;
  action: ButtonAction;
}

/**
 * Known `custom_id` shapes → useapi name. The table is data: one row per shape, checked in order.
 * `$1` in a name is the image index captured by the pattern.
 */
export const CUSTOM_ID_RULES: readonly { pattern: RegExp; name: string; action: ButtonAction }[] = [
  { pattern: new RegExp(`^MJ::JOB::upsample::([1-4])::${HASH}`), name: 'U$1', action: 'upscale' },
  { pattern: new RegExp(`^MJ::JOB::variation::([1-4])::${HASH}`), name: 'V$1', action: 'variation' },
  { pattern: new RegExp(`^MJ::JOB::reroll::0::${HASH}`), name: '🔄', action: 'reroll' },
  { pattern: new RegExp(`^MJ::JOB::low_variation::1::${HASH}`), name: 'Vary (Subtle)', action: 'variation' },
  { pattern: new RegExp(`^MJ::JOB::high_variation::1::${HASH}`), name: 'Vary (Strong)', action: 'variation' },
  { pattern: new RegExp(`^MJ::Inpaint::1::${HASH}`), name: 'Vary (Region)', action: 'region' },
  { pattern: new RegExp(`^MJ::Outpaint::50::1::${HASH}`), name: 'Zoom Out 2x', action: 'zoom' },
  { pattern: new RegExp(`^MJ::Outpaint::75::1::${HASH}`), name: 'Zoom Out 1.5x', action: 'zoom' },
  { pattern: new RegExp(`^MJ::CustomZoom::${HASH}`), name: 'Custom Zoom', action: 'custom-zoom' },
  { pattern: new RegExp(`^MJ::JOB::pan_left::1::${HASH}`), name: '⬅️', action: 'pan' },
  { pattern: new RegExp(`^MJ::JOB::pan_right::1::${HASH}`), name: '➡️', action: 'pan' },
  { pattern: new RegExp(`^MJ::JOB::pan_up::1::${HASH}`), name: '⬆️', action: 'pan' },
  { pattern: new RegExp(`^MJ::JOB::pan_down::1::${HASH}`), name: '⬇️', action: 'pan' },
  { pattern: new RegExp(`^MJ::JOB::upsample_v\\w+?_2x_subtle::1::${HASH}`), name: 'Upscale (Subtle)', action: 'upscale-real' },
  { pattern: new RegExp(`^MJ::JOB::upsample_v\\w+?_2x_creative::1::${HASH}`), name: 'Upscale (Creative)', action: 'upscale-real' },
  { pattern: new RegExp(`^MJ::JOB::upsample_v5_2x::1::${HASH}`), name: 'Upscale (2x)', action: 'upscale-real' },
  { pattern: new RegExp(`^MJ::JOB::upsample_v5_4x::1::${HASH}`), name: 'Upscale (4x)', action: 'upscale-real' },
  { pattern: new RegExp(`^MJ::JOB::animate_high_extend::\\d+::${HASH}`), name: 'Extend (High motion)', action: 'animate' },
  { pattern: new RegExp(`^MJ::JOB::animate_low_extend::\\d+::${HASH}`), name: 'Extend (Low motion)', action: 'animate' },
  { pattern: new RegExp(`^MJ::JOB::animate_high::1::${HASH}`), name: 'Animate (High motion)', action: 'animate' },
  { pattern: new RegExp(`^MJ::JOB::animate_low::1::${HASH}`), name: 'Animate (Low motion)', action: 'animate' },
  { pattern: /^MJ::Job::PicReader::([1-4])$/, name: '$1', action: 'describe-imagine' },
  { pattern: /^MJ::JOB::.*remaster/i, name: 'Remaster', action: 'remaster' },
];

/** Components that are controls, not results: never listed in `buttons`, never pressed by name. */
const NOT_RESULTS: readonly RegExp[] = [/^MJ::CancelJob::/, /^MJ::BOOKMARK/i, /^MJ::Prompts::Appeal::/, /^MJ::Captcha/i, /^MJ::Settings::/, /^MJ::Picread::Retry/];

/** useapi spells the arrows with the variation selector; some clients and bot versions leave it off. */
const ARROWS: Record<string, string> = { '⬅': '⬅️', '➡': '➡️', '⬆': '⬆️', '⬇': '⬇️', '🔄': '🔄' };

/** useapi's name for a name a client typed: trims, and restores the arrows' variation selector. */
export function canonicalName(name: string): string {
  const trimmed = name.trim();
  const bare = trimmed.replace(/\uFE0F/g, '');
  return ARROWS[bare] ?? trimmed;
}

/** Names by the labels the bot shows, for buttons whose `custom_id` has no known shape. */
function kindFromLabel(label: string): ButtonKind {
  const name = canonicalName(label);
  if (/^U[1-4]$/.test(name)) return { name, action: 'upscale' };
  if (/^V[1-4]$/.test(name) || /^Vary \((Strong|Subtle)\)$/.test(name) || name === 'Make Variations') return { name, action: 'variation' };
  if (name === '🔄') return { name, action: 'reroll' };
  if (name === 'Vary (Region)') return { name, action: 'region' };
  if (/^Zoom Out/.test(name)) return { name, action: 'zoom' };
  if (name === 'Custom Zoom') return { name, action: 'custom-zoom' };
  if (['⬅️', '➡️', '⬆️', '⬇️'].includes(name)) return { name, action: 'pan' };
  if (/^(Redo )?Upscale \(/.test(name)) return { name, action: 'upscale-real' };
  if (/^(Animate|Extend) \(/.test(name)) return { name, action: 'animate' };
  if (name === 'Remaster') return { name, action: 'remaster' };
  return { name, action: 'other' };
}

/** A Discord component as the message carries it (the fields this module reads). */
export interface ButtonComponent {
  type: number;
  custom_id?: unknown;
  label?: unknown;
  emoji?: unknown;
  url?: unknown;
  disabled?: unknown;
  style?: unknown;
  components?: unknown;
}

/** The useapi name and action of one button component, or undefined when it is not a result button. */
export function buttonKind(component: ButtonComponent): ButtonKind | undefined {
  if (component.type !== 2 || typeof component.custom_id !== 'string' || component.url !== undefined) return undefined;
  const id = component.custom_id;
  if (NOT_RESULTS.some((p) => p.test(id))) return undefined;
  for (const rule of CUSTOM_ID_RULES) {
    const m = rule.pattern.exec(id);
    if (m) return { name: rule.name.replace('$1', m[1] ?? ''), action: rule.action };
  }
  const label = typeof component.label === 'string' && component.label.trim() !== '' ? component.label : (component.emoji as { name?: unknown } | undefined)?.name;
  return typeof label === 'string' && label.trim() !== '' ? kindFromLabel(label) : undefined;
}

/** Every button component of a message (inside action rows), in display order. */
export function buttonComponents(components: unknown): ButtonComponent[] {
  const out: ButtonComponent[] = [];
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const c of list as ButtonComponent[]) {
      if (c && typeof c === 'object') {
        if (c.type === 2) out.push(c);
        walk(c.components);
      }
    }
  };
  walk(components);
  return out;
}

/** The job's `buttons`: useapi names of the result buttons a message carries, once each, in display order. */
export function buttonNames(components: unknown): string[] {
  const names = buttonComponents(components)
    .filter((c) => c.disabled !== true)
    .flatMap((c) => buttonKind(c)?.name ?? []);
  return [...new Set(names)];
}

/** The component carrying the named button on a message, if it is there and enabled. */
export function findButton(components: unknown, name: string): { customId: string; kind: ButtonKind } | undefined {
  const wanted = canonicalName(name);
  for (const c of buttonComponents(components)) {
    if (c.disabled === true) continue;
    const kind = buttonKind(c);
    if (kind?.name === wanted) return { customId: c.custom_id as string, kind };
  }
  return undefined;
}

/** The action of a button by its useapi name alone (for planning before the message is read). */
export function actionOf(name: string): ButtonAction {
  return kindFromLabel(name).action;
}

/** U1–U4 pick an image of their grid; useapi lets each run once per parent (v2: 409). */
export function isOncePerParent(name: string): boolean {
  return /^U[1-4]$/.test(canonicalName(name));
}

/**
 * The `custom_id` of a named button, built from the job hash (C.7), for when the message that
 * carried it is gone. Upscale (Subtle/Creative) embed the model version, so they need it; names
 * whose id is not public (Redo Upscale, Make Square …) give undefined.
 */
export function customIdFor(name: string, hash: string, modelVersion = 'v6'): string | undefined {
  const n = canonicalName(name);
  const index = /^[UV]([1-4])$/.exec(n)?.[1];
  if (n.startsWith('U') && index) return `MJ::JOB::upsample::${index}::${hash}`;
  if (n.startsWith('V') && index) return `MJ::JOB::variation::${index}::${hash}`;
  const fixed: Record<string, string> = {
    '🔄': `MJ::JOB::reroll::0::${hash}::SOLO`,
    'Vary (Subtle)': `MJ::JOB::low_variation::1::${hash}::SOLO`,
    'Vary (Strong)': `MJ::JOB::high_variation::1::${hash}::SOLO`,
    'Vary (Region)': `MJ::Inpaint::1::${hash}::SOLO`,
    'Zoom Out 2x': `MJ::Outpaint::50::1::${hash}::SOLO`,
    'Zoom Out 1.5x': `MJ::Outpaint::75::1::${hash}::SOLO`,
    'Custom Zoom': `MJ::CustomZoom::${hash}`,
    '⬅️': `MJ::JOB::pan_left::1::${hash}::SOLO`,
    '➡️': `MJ::JOB::pan_right::1::${hash}::SOLO`,
    '⬆️': `MJ::JOB::pan_up::1::${hash}::SOLO`,
    '⬇️': `MJ::JOB::pan_down::1::${hash}::SOLO`,
    'Upscale (Subtle)': `MJ::JOB::upsample_${modelVersion}_2x_subtle::1::${hash}::SOLO`,
    'Upscale (Creative)': `MJ::JOB::upsample_${modelVersion}_2x_creative::1::${hash}::SOLO`,
    'Upscale (2x)': `MJ::JOB::upsample_v5_2x::1::${hash}::SOLO`,
    'Upscale (4x)': `MJ::JOB::upsample_v5_4x::1::${hash}::SOLO`,
    'Animate (High motion)': `MJ::JOB::animate_high::1::${hash}::SOLO`,
    'Animate (Low motion)': `MJ::JOB::animate_low::1::${hash}::SOLO`,
  };
  return fixed[n];
}

/** The job hash (Midjourney job UUID) a `custom_id` carries, e.g. the progress message's Cancel Job button. */
export function hashOfCustomId(customId: string): string | undefined {
  return new RegExp(HASH).exec(customId)?.[1];
}

/** The Cancel Job button of a progress message (C.3): it names the Midjourney job before it completes. */
export function cancelButton(components: unknown): string | undefined {
  const c = buttonComponents(components).find((b) => typeof b.custom_id === 'string' && b.custom_id.startsWith('MJ::CancelJob::'));
  return c?.custom_id as string | undefined;
}

/**
 * The job hash of a result message (C.11): the file name's last `_`-separated part without the
 * extension (`…_grid_0.webp` and `…_0_0.png` variants handled), else any result button's id.
 */
export function jobHash(message: { attachments?: readonly { filename?: string | null }[] | null; components?: unknown }): string | undefined {
  for (const a of message.attachments ?? []) {
    const m = new RegExp(`${HASH}(?:_grid_0|_0_0)?\\.\\w+$`).exec(a.filename ?? '');
    if (m) return m[1];
  }
  for (const c of buttonComponents(message.components)) {
    const hash = typeof c.custom_id === 'string' ? hashOfCustomId(c.custom_id) : undefined;
    if (hash) return hash;
  }
  return undefined;
}
