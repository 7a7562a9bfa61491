/**
 * The Discord commands switchboard sends to InsightFaceSwap, as it expects the live command index
 * to list them (`real-world.md` §2): saveid, swapid and INSwapper are confirmed from public
 * payloads; the rest are inferred (from the bot's guide and useapi's field names). They are
 * compared with the index on account save, by `switchboard doctor` and on first use.
 */
import type { CommandNeed } from '../../discord/index.ts';

export const faceswapDiscordCommands: readonly CommandNeed[] = [
  { name: 'saveid', knowledge: 'confirmed', options: [{ name: 'idname', kind: 'string', required: true }, { name: 'image', kind: 'attachment', required: true }] },
  { name: 'swapid', knowledge: 'confirmed', options: [{ name: 'idname', kind: 'string', required: true }, { name: 'image', kind: 'attachment', required: true }] },
  { name: 'INSwapper', type: 3, knowledge: 'confirmed' },
  { name: 'setid', knowledge: 'inferred', options: [{ name: 'idname', kind: 'string', required: true }] },
  { name: 'delid', knowledge: 'inferred', options: [{ name: 'idname', kind: 'string', required: true }] },
  { name: 'listid', knowledge: 'inferred' },
  { name: 'delall', knowledge: 'inferred' },
  { name: 'picsi', knowledge: 'inferred', options: [{ name: 'source_image', kind: 'attachment', required: true }, { name: 'target_image_gif_or_video', kind: 'attachment', required: true }, { name: 'options', kind: 'string' }] },
  { name: 'changebg', knowledge: 'inferred', options: [{ name: 'image', kind: 'attachment', required: true }, { name: 'a_background_photo_of', kind: 'string', required: true }, { name: 'options', kind: 'string' }] },
  { name: 'headshot', knowledge: 'inferred', options: [{ name: 'prompt', kind: 'string', required: true }, { name: 'options', kind: 'string' }] },
];
