/**
 * The InsightFaceSwap endpoints (useapi A5–A15) and the slash commands they run. Option names
 * are the bot's own; their ids and versions are always read from Discord's command index.
 */
import { replyFields } from '../shared/command-fields.ts';
import type { BuiltCommand, CommandInput, FieldSpec, Parsed, ProviderCommand } from '../types.ts';
import { isSnowflake } from '../shared/account-fields.ts';

const MINUTE = 60_000;
const channelField: FieldSpec = { name: 'channel', kind: 'text', description: 'Discord channel id of the account to use' };
const common = (...fields: FieldSpec[]): FieldSpec[] => [channelField, ...fields, ...replyFields];
const idname = (description: string, maxLength = 200): FieldSpec => ({ name: 'idname', kind: 'text', required: true, maxLength, description });
const optionsField: FieldSpec = { name: 'options', kind: 'text', maxLength: 500, description: 'bot flags, e.g. -f -m' };

/** Saved identity names: 1–10 letters or digits, as the bot accepts them. */
const ID_NAME = /^[A-Za-z0-9]{1,10}$/;

const text = (input: CommandInput, name: string): string | undefined => {
  const value = input.fields[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const ok = (value: BuiltCommand): Parsed<BuiltCommand> => ({ ok: true, value });

function checkIdName(name: string, field = 'idname'): string | undefined {
  return ID_NAME.test(name) ? undefined : `Param ${field} (${name}) must be 1 to 10 letters or digits`;
}

export const faceswapCommands: readonly ProviderCommand[] = [
  {
    name: 'saveid',
    method: 'POST',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 3 * MINUTE,
    fields: common(idname('name to save the identity under (1–10 letters or digits)', 10), { name: 'image', kind: 'file', required: true, description: 'photo of the face to save' }),
    build(input) {
      const name = text(input, 'idname')!;
      const error = checkIdName(name);
      if (error) return { ok: false, error };
      return ok({ echo: { idname: name }, steps: [{ kind: 'slash', command: 'saveid', options: { idname: name }, files: { image: 'image' }, expects: 'text' }] });
    },
  },
  {
    name: 'setid',
    method: 'POST',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 3 * MINUTE,
    fields: common(idname('default identity name(s), e.g. `me,you` or `a+b`, or prefer options such as --greedy')),
    build(input) {
      const value = text(input, 'idname')!;
      return ok({ echo: { idname: value }, steps: [{ kind: 'slash', command: 'setid', options: { idname: value }, files: {}, expects: 'text' }] });
    },
  },
  {
    name: 'listid',
    method: 'POST',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 3 * MINUTE,
    fields: common(),
    build: () => ok({ echo: {}, steps: [{ kind: 'slash', command: 'listid', options: {}, files: {}, expects: 'text' }] }),
  },
  {
    name: 'delid',
    method: 'DELETE',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 3 * MINUTE,
    fields: common(idname('identity name to delete', 10)),
    build(input) {
      const name = text(input, 'idname')!;
      return ok({ echo: { idname: name }, steps: [{ kind: 'slash', command: 'delid', options: { idname: name }, files: {}, expects: 'text' }] });
    },
  },
  {
    name: 'delall',
    method: 'DELETE',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 3 * MINUTE,
    fields: common(),
    build: () => ok({ echo: {}, steps: [{ kind: 'slash', command: 'delall', options: {}, files: {}, expects: 'text' }] }),
  },
  {
    name: 'swapid',
    method: 'POST',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 5 * MINUTE,
    fields: common(idname('saved identity name(s) to apply, comma-separated; may carry flags such as --oldify 300'), { name: 'image', kind: 'file', required: true, description: 'target image' }),
    build(input) {
      const value = text(input, 'idname')!;
      return ok({ echo: { idname: value }, steps: [{ kind: 'slash', command: 'swapid', options: { idname: value }, files: { image: 'image' }, expects: 'media' }] });
    },
  },
  {
    name: 'swap',
    method: 'POST',
    answer: 'terminal',
    selection: 'random',
    timeoutMs: 6 * MINUTE,
    fields: common(
      { name: 'saveid_idname', kind: 'text', maxLength: 10, description: 'name for the source face (default `id`)' },
      { name: 'saveid_image', kind: 'file', required: true, description: 'source face' },
      { name: 'swapid_idname', kind: 'text', maxLength: 200, description: 'identity to apply (default: saveid_idname)' },
      { name: 'swapid_image', kind: 'file', required: true, description: 'target image' },
    ),
    build(input) {
      const saveName = text(input, 'saveid_idname') ?? 'id';
      const error = checkIdName(saveName, 'saveid_idname');
      if (error) return { ok: false, error };
      const swapName = text(input, 'swapid_idname') ?? saveName;
      return ok({
        echo: { saveid_idname: saveName, swapid_idname: swapName },
        steps: [
          { kind: 'slash', command: 'saveid', options: { idname: saveName }, files: { image: 'saveid_image' }, expects: 'text' },
          { kind: 'slash', command: 'swapid', options: { idname: swapName }, files: { image: 'swapid_image' }, expects: 'media' },
        ],
      });
    },
  },
  {
    name: 'inswapper',
    method: 'POST',
    answer: 'terminal',
    selection: 'pinned',
    timeoutMs: 5 * MINUTE,
    fields: common({ name: 'targetMessageId', kind: 'text', required: true, description: 'id of a message with an image in `channel`' }),
    build(input) {
      const target = text(input, 'targetMessageId')!;
      if (!isSnowflake(target)) return { ok: false, error: `Required param targetMessageId (${target}) is not valid Discord message id` };
      return ok({ echo: { targetMessageId: target }, steps: [{ kind: 'context', command: 'INSwapper', targetId: target, expects: 'media' }] });
    },
  },
  {
    name: 'picsi',
    method: 'POST',
    answer: 'terminal',
    selection: 'random',
    timeoutMs: 10 * MINUTE,
    fields: common(
      { name: 'source_image', kind: 'file', required: true, description: 'face to use' },
      { name: 'target_image_gif_or_video', kind: 'file', required: true, accept: 'image-or-video', description: 'image, GIF or video to put the face on' },
      optionsField,
    ),
    build(input) {
      const options = text(input, 'options');
      return ok({
        echo: options ? { options } : {},
        steps: [{ kind: 'slash', command: 'picsi', options: options ? { options } : {}, files: { source_image: 'source_image', target_image_gif_or_video: 'target_image_gif_or_video' }, expects: 'media' }],
      });
    },
  },
  {
    name: 'changebg',
    method: 'POST',
    answer: 'started',
    selection: 'random',
    timeoutMs: 15 * MINUTE,
    fields: common({ name: 'a_background_photo_of', kind: 'text', required: true, maxLength: 1000, description: 'the new background' }, { name: 'image', kind: 'file', required: true, description: 'photo' }, optionsField),
    build(input) {
      const prompt = text(input, 'a_background_photo_of')!;
      const options = text(input, 'options');
      return ok({
        echo: { prompt, ...(options ? { options } : {}) },
        steps: [{ kind: 'slash', command: 'changebg', options: { a_background_photo_of: prompt, ...(options ? { options } : {}) }, files: { image: 'image' }, expects: 'media' }],
      });
    },
  },
  {
    name: 'headshot',
    method: 'POST',
    answer: 'started',
    selection: 'pinned',
    timeoutMs: 15 * MINUTE,
    acceptsJson: true,
    fields: common({ name: 'prompt', kind: 'text', required: true, maxLength: 1000, description: 'what the headshot shows, e.g. `me, a mad king … --square`' }, optionsField),
    build(input) {
      const prompt = text(input, 'prompt')!;
      const options = text(input, 'options');
      return ok({
        echo: { prompt, ...(options ? { options } : {}) },
        steps: [{ kind: 'slash', command: 'headshot', options: { prompt, ...(options ? { options } : {}) }, files: {}, expects: 'media' }],
      });
    },
  },
];
