/**
 * The Discord commands switchboard sent to Pika's (retired) bot, as the simulator models them.
 * Against real Discord a DM without them means the bot is gone (see `PIKA_RETIRED`).
 */
import type { CommandNeed } from '../../discord/index.ts';

export const pikaDiscordCommands: readonly CommandNeed[] = [
  { name: 'create', knowledge: 'inferred', options: [{ name: 'prompt', kind: 'string', required: true }, { name: 'image', kind: 'attachment' }] },
  { name: 'animate', knowledge: 'inferred', options: [{ name: 'image', kind: 'attachment', required: true }, { name: 'prompt', kind: 'string' }] },
  { name: 'encrypt_text', knowledge: 'inferred', options: [{ name: 'message', kind: 'string', required: true }, { name: 'prompt', kind: 'string', required: true }, { name: 'font', kind: 'string' }, { name: 'image', kind: 'attachment' }] },
  { name: 'encrypt_image', knowledge: 'inferred', options: [{ name: 'message', kind: 'attachment', required: true }, { name: 'prompt', kind: 'string', required: true }, { name: 'image', kind: 'attachment' }] },
];
