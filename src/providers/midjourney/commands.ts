/**
 * The Midjourney commands of useapi's API v2 (midjourney.md A.4–A.9) planned as Discord steps:
 * `/imagine`, a button on a finished job, `/blend` (2–5 images), `/describe`, and the
 * synchronous `/info`, `/fast`, `/relax`, `/turbo`. Request bodies are JSON; image URLs
 * (`blendUrls`, `describeUrl`) are fetched before planning and arrive here as files
 * `image1`…`image5` (see `images.ts`), so a URL that cannot be retrieved is a 400 at submission.
 */
import { ONCE_KEY_STATUSES, type JobRecord, type JobStatus } from '../../store/index.ts';
import { replyFields } from '../shared/command-fields.ts';
import type { BuiltCommand, CommandInput, FieldSpec, Parsed, ProviderCommand } from '../types.ts';
import { actionOf, canonicalName, isOncePerParent } from './buttons.ts';

export const PROMPT_LIMIT = 2048;
export const BLEND_DIMENSIONS = { Portrait: '--ar 2:3', Square: '--ar 1:1', Landscape: '--ar 3:2' } as const;
/** Generations can wait behind others ("Job queued") and relax mode is slow: proxies allow 5–20 min (C.13). */
export const GENERATION_TIMEOUT_MS = 20 * 60_000;
/** `/info`, `/fast`, `/relax`, `/turbo` answer at once. */
export const SYNC_TIMEOUT_MS = 60_000;

/** The account fields every command may carry (A.1): a configured channel, or a token to use. */
const accountFields: FieldSpec[] = [
  { name: 'discord', kind: 'text', maxLength: 200, description: 'Discord token; optional once accounts are configured' },
  { name: 'server', kind: 'text', maxLength: 20, description: 'Discord server id (optional)' },
  { name: 'channel', kind: 'text', maxLength: 20, description: 'the account’s DM channel with the Midjourney bot; alone, it selects that configured account' },
  { name: 'maxJobs', kind: 'text', maxLength: 3, description: 'concurrent jobs for this call (1–15); default: the account’s, else 3' },
];

const text = (input: CommandInput, name: string): string | undefined => {
  const value = input.fields[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const generation = (name: string, fields: FieldSpec[], build: ProviderCommand['build']): ProviderCommand => ({
  name,
  method: 'POST',
  answer: 'started',
  selection: 'random',
  queueable: true,
  timeoutMs: GENERATION_TIMEOUT_MS,
  acceptsJson: true,
  fields: [...accountFields, ...fields, ...replyFields],
  build,
});

const sync = (name: 'info' | 'fast' | 'relax' | 'turbo'): ProviderCommand => ({
  name,
  method: 'POST',
  answer: 'terminal',
  selection: 'random',
  timeoutMs: SYNC_TIMEOUT_MS,
  acceptsJson: true,
  fields: [...accountFields.filter((f) => f.name !== 'maxJobs'), ...replyFields],
  build: () => ({ ok: true, value: { echo: {}, steps: [{ kind: 'slash', command: name, options: {}, files: {}, expects: 'text' }] } }),
});

/** useapi's 400 texts (A.2). */
export const ERRORS = {
  buttonNotFound: 'button not supported or not found in jobid buttons array',
  region: 'Button Vary (Region) is not supported: it needs Midjourney’s web editor and a mask',
  customZoomPrompt: 'Required param prompt is missing or empty (Custom Zoom needs a prompt)',
  upscaled: 'Upscale button already executed by jobid',
} as const;

/** Files `image1`…`imageN`: the images fetched from the request's URLs (not request fields themselves). */
const fetchedImages = (n: number, required: number): FieldSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `image${i + 1}`, kind: 'file' as const, ...(i < required ? { required: true } : {}), description: `image ${i + 1}, fetched from the URL` }));

/** The image files planned from fetched URLs: `image1`…`imageN`. */
const imageFiles = (input: CommandInput): string[] => Object.keys(input.files).filter((k) => /^image[1-5]$/.test(k)).sort();

/** The 409 of a second U1–U4 on one parent (A.2: body `{error, button, jobid, code}`; `jobid` is the parent's). */
export const upscaledConflict = (button: string, parentJobId: string) => ({ status: 409, error: ERRORS.upscaled, extra: { button, jobid: parentJobId } });

/**
 * Plans a button press on a finished job. `children` are the jobs already made from `parent`
 * (for U1–U4, which run once per parent: 409). That check answers the plain case early; the
 * plan's `oncePerParent` key makes the store enforce it under concurrency (migration 010).
 * A U1 child that failed, was moderated or cancelled does not count: its upscale never arrived,
 * so pressing U1 again is a retry, as Midjourney itself allows (the button stays on the grid).
 */
export function buildButton(
  input: CommandInput,
  parent: JobRecord | undefined,
  children: readonly { button: string | null; jobid: string; status?: JobStatus }[] = [],
): Parsed<BuiltCommand> {
  const jobid = text(input, 'jobid');
  const button = canonicalName(text(input, 'button') ?? '');
  if (!parent) return { ok: false, status: 404, error: `Unable to locate job ${jobid}` };
  if (parent.status !== 'completed' || !parent.messageId) return { ok: false, error: `Job ${parent.jobid} is ${parent.status}; buttons can be pressed on completed jobs only` };
  if (!(parent.buttons ?? []).includes(button)) return { ok: false, error: ERRORS.buttonNotFound };
  const action = actionOf(button);
  if (action === 'region') return { ok: false, error: ERRORS.region };
  const prompt = text(input, 'prompt');
  if (action === 'custom-zoom' && !prompt) return { ok: false, error: ERRORS.customZoomPrompt };
  if (isOncePerParent(button)) {
    const holds = (c: (typeof children)[number]) => c.status === undefined || (ONCE_KEY_STATUSES as readonly JobStatus[]).includes(c.status);
    if (children.some((c) => c.button === button && holds(c))) return { ok: false, status: 409, error: ERRORS.upscaled };
  }
  return {
    ok: true,
    value: {
      echo: { button, ...(prompt ? { prompt } : typeof parent.request.prompt === 'string' ? { prompt: parent.request.prompt } : {}) },
      steps: [{ kind: 'button', button, messageId: parent.messageId, expects: 'media', ...(prompt ? { text: prompt } : {}) }],
      ...(isOncePerParent(button) ? { oncePerParent: button } : {}),
    },
  };
}

export const midjourneyCommands: readonly ProviderCommand[] = [
  generation('imagine', [{ name: 'prompt', kind: 'text', required: true, maxLength: PROMPT_LIMIT, description: 'the /imagine prompt; parameters (--ar, --v …) and image links go inside it' }], (input) => {
    const prompt = text(input, 'prompt')!;
    return { ok: true, value: { echo: { prompt }, steps: [{ kind: 'slash', command: 'imagine', options: { prompt }, files: {}, expects: 'media' }] } };
  }),
  {
    name: 'button',
    method: 'POST',
    answer: 'started',
    selection: 'parent',
    queueable: true,
    timeoutMs: GENERATION_TIMEOUT_MS,
    acceptsJson: true,
    fields: [
      { name: 'jobid', kind: 'text', required: true, maxLength: 300, description: 'a completed imagine, button or blend job' },
      { name: 'button', kind: 'text', required: true, maxLength: 40, description: 'one of that job’s `buttons` (U1–U4, V1–V4, 🔄, Vary (Strong) …)' },
      { name: 'prompt', kind: 'text', maxLength: PROMPT_LIMIT, description: 'required for Custom Zoom; with remix mode on, the prompt for V1–V4, Vary, pans and 🔄' },
      { name: 'discord', kind: 'text', maxLength: 200, description: 'Discord token override (default: the channel’s current account token)' },
      accountFields[3]!,
      ...replyFields,
    ],
    build: (input, parent) => buildButton(input, parent),
  },
  generation(
    'blend',
    [
      { name: 'blendUrls', kind: 'text', required: true, maxLength: 6000, description: '2 to 5 image URLs (a JSON array)' },
      { name: 'blendDimensions', kind: 'text', maxLength: 10, description: 'Portrait, Square or Landscape (default: the bot’s, square)' },
      ...fetchedImages(5, 2),
    ],
    (input) => {
      const files = imageFiles(input);
      if (files.length < 2 || files.length > 5) return { ok: false, error: 'blendUrls must hold at least 2 and at most 5 image URLs' };
      const dimensions = text(input, 'blendDimensions');
      if (dimensions !== undefined && !(dimensions in BLEND_DIMENSIONS)) return { ok: false, error: `blendDimensions (${dimensions}) must be one of Portrait, Square, Landscape` };
      const urls = JSON.parse(input.fields.blendUrls ?? '[]') as string[];
      const options: Record<string, string> = dimensions ? { dimensions: BLEND_DIMENSIONS[dimensions as keyof typeof BLEND_DIMENSIONS] } : {};
      return {
        ok: true,
        value: {
          echo: { blendUrls: urls, ...(dimensions ? { blendDimensions: dimensions } : {}) },
          steps: [{ kind: 'slash', command: 'blend', options, files: Object.fromEntries(files.map((f) => [f, f])), expects: 'media' }],
        },
      };
    },
  ),
  generation('describe', [{ name: 'describeUrl', kind: 'text', required: true, maxLength: 1024, description: 'URL of the image to describe' }, ...fetchedImages(1, 1)], (input) => {
    if (!input.files.image1) return { ok: false, error: 'describeUrl value not a valid URL or URL which can not be retrieved' };
    const describeUrl = text(input, 'describeUrl')!;
    return { ok: true, value: { echo: { describeUrl }, steps: [{ kind: 'slash', command: 'describe', options: {}, files: { image: 'image1' }, expects: 'media' }] } };
  }),
  sync('info'),
  sync('fast'),
  sync('relax'),
  sync('turbo'),
];
