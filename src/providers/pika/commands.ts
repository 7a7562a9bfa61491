/**
 * The Pika endpoints (useapi B5–B9). Every call may bring its own `discord` + `channel`
 * (+ `maxJobs`) instead of a configured account; generations are asynchronous.
 */
import { replyFields } from '../shared/command-fields.ts';
import type { BuiltCommand, CommandInput, FieldSpec, InputFile, Parsed, ProviderCommand } from '../types.ts';
import { SUPPORTED_BUTTONS } from './replies.ts';

export const PIKA_FONTS = ['MODERN', 'COMICS', 'SANS SERIF', 'BAUHAUS', 'RETRO'] as const;
export const PROMPT_LIMIT = 1500;
export const MESSAGE_LIMIT = 20;
const GENERATION_TIMEOUT_MS = 15 * 60_000;

/** The account fields every Pika call may carry (useapi §1.9 "bring your own balancing"). */
export const accountFields: FieldSpec[] = [
  { name: 'discord', kind: 'text', maxLength: 200, description: 'Discord token to use instead of a configured account' },
  { name: 'channel', kind: 'text', description: 'DM channel with Pika Bot; alone, it selects that configured account' },
  { name: 'maxJobs', kind: 'text', description: 'concurrent jobs for this channel (1–10); default: the account’s, else 10' },
];

const common = (...fields: FieldSpec[]): FieldSpec[] => [...accountFields, ...fields, ...replyFields];
const prompt = (required: boolean): FieldSpec => ({ name: 'prompt', kind: 'text', required, maxLength: PROMPT_LIMIT, description: 'what the video shows; may end with Pika parameters such as -motion 2 -fps 24' });
const image = (required: boolean, description = 'image to start the video from'): FieldSpec => ({ name: 'image', kind: 'file', required, description });

const text = (input: CommandInput, name: string): string | undefined => {
  const value = input.fields[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** useapi's `image` echo: metadata of the uploaded file, not the file. */
const meta = (file: InputFile | undefined) => (file ? { size: file.data.length, type: file.contentType } : undefined);

function generation(command: string, input: CommandInput, options: Record<string, string>, files: Record<string, string>, echo: Record<string, unknown>): Parsed<BuiltCommand> {
  const image = meta(input.files.image);
  return {
    ok: true,
    value: {
      echo: { ...echo, ...(image ? { image } : {}) },
      steps: [{ kind: 'slash', command, options, files: input.files.image ? { ...files, image: 'image' } : files, expects: 'media' }],
    },
  };
}

const generationCommand = (name: string, fields: FieldSpec[], build: ProviderCommand['build']): ProviderCommand => ({
  name,
  method: 'POST',
  answer: 'started',
  selection: 'random',
  queueable: true,
  timeoutMs: GENERATION_TIMEOUT_MS,
  fields: common(...fields),
  build,
});

export const pikaCommands: readonly ProviderCommand[] = [
  generationCommand('create', [prompt(true), image(false)], (input) => {
    const p = text(input, 'prompt')!;
    return generation('create', input, { prompt: p }, {}, { prompt: p });
  }),
  generationCommand('animate', [image(true, 'image to animate'), prompt(false)], (input) => {
    const p = text(input, 'prompt');
    return generation('animate', input, p ? { prompt: p } : {}, {}, p ? { prompt: p } : {});
  }),
  generationCommand(
    'encrypt_text',
    [
      { name: 'message', kind: 'text', required: true, maxLength: MESSAGE_LIMIT, description: 'text hidden in the video (at most 20 characters)' },
      prompt(true),
      { name: 'font', kind: 'text', maxLength: 20, description: `one of ${PIKA_FONTS.join(', ')}` },
      image(false, 'reference image'),
    ],
    (input) => {
      const p = text(input, 'prompt')!;
      const message = input.fields.message!.trim();
      const fontInput = text(input, 'font');
      const font = fontInput === undefined ? undefined : PIKA_FONTS.find((f) => f === fontInput.toUpperCase());
      if (fontInput !== undefined && !font) return { ok: false, error: `Param font (${fontInput}) must be one of ${PIKA_FONTS.join(', ')}` };
      return generation('encrypt_text', input, { message, prompt: p, ...(font ? { font } : {}) }, {}, { prompt: p, message, ...(font ? { font } : {}) });
    },
  ),
  generationCommand(
    'encrypt_image',
    [{ name: 'message', kind: 'file', required: true, description: 'image hidden in the video' }, prompt(true), image(false, 'reference image')],
    (input) => {
      const p = text(input, 'prompt')!;
      return generation('encrypt_image', input, { prompt: p }, { message: 'message' }, { prompt: p, message: meta(input.files.message) });
    },
  ),
  {
    name: 'button',
    method: 'POST',
    answer: 'started',
    selection: 'parent',
    queueable: true,
    timeoutMs: GENERATION_TIMEOUT_MS,
    fields: [
      { name: 'jobid', kind: 'text', required: true, maxLength: 300, description: 'a completed Pika job' },
      { name: 'button', kind: 'text', required: true, maxLength: 20, description: 'one of that job’s `buttons` (only `retry` is supported)' },
      { name: 'discord', kind: 'text', maxLength: 200, description: 'Discord token override (default: the channel’s current account token)' },
      { name: 'maxJobs', kind: 'text', description: 'concurrent jobs for this channel (1–10)' },
      ...replyFields,
    ],
    build(input, parent) {
      const button = text(input, 'button')!;
      if (!parent) return { ok: false, status: 404, error: `Unable to locate job ${text(input, 'jobid')}` };
      if (parent.status !== 'completed' || !parent.messageId) return { ok: false, error: `Job ${parent.jobid} is ${parent.status}; buttons can be pressed on completed jobs only` };
      if (!(parent.buttons ?? []).includes(button)) return { ok: false, error: `Button ${button} is not one of the job's buttons (${(parent.buttons ?? []).join(', ') || 'none'})` };
      if (!SUPPORTED_BUTTONS.includes(button)) return { ok: false, error: `Button ${button} is not supported; supported: ${SUPPORTED_BUTTONS.join(', ')}` };
      return {
        ok: true,
        value: {
          echo: { ...(typeof parent.request.prompt === 'string' ? { prompt: parent.request.prompt } : {}) },
          steps: [{ kind: 'button', button, messageId: parent.messageId, expects: 'media' }],
        },
      };
    },
  },
];
