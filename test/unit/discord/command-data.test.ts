import { describe, expect, it } from 'vitest';
import { buildCommandData, findButton, findCommand, InvalidCommandOptionsError, type ApplicationCommand, type ApplicationCommandIndex, type DiscordMessage } from '../../../src/discord/index.ts';

const swapid: ApplicationCommand = {
  id: '111', application_id: 'app', version: '222', type: 1, name: 'swapid',
  options: [
    { type: 3, name: 'idname', required: true },
    { type: 11, name: 'image', required: true },
    { type: 4, name: 'strength' },
    { type: 3, name: 'font', choices: [{ name: 'Modern', value: 'MODERN' }] },
  ],
};

describe('command lookup', () => {
  const index: ApplicationCommandIndex = {
    applications: [{ id: 'app', bot_id: 'app' }, { id: 'other' }],
    application_commands: [
      { id: '1', application_id: 'other', version: '1', type: 1, name: 'swapid' },
      { id: '2', application_id: 'app', version: '5', type: 1, name: 'tauschid', name_default: 'swapid' },
      { id: '3', application_id: 'app', version: '6', type: 3, name: 'INSwapper' },
    ],
  };

  it('filters by application id and the original name, never by position', () => {
    expect(findCommand(index, 'app', 'swapid')?.id).toBe('2');
    expect(findCommand(index, 'other', 'swapid')?.id).toBe('1');
    expect(findCommand(index, 'app', 'INSwapper', 3)?.id).toBe('3');
    expect(findCommand(index, 'app', 'INSwapper', 1)).toBeUndefined();
    expect(findCommand(index, 'nobody', 'swapid')).toBeUndefined();
  });
});

describe('command data', () => {
  it('takes id, version and option types from the index', () => {
    const data = buildCommandData(swapid, {
      options: { idname: 'alice', strength: '3' },
      attachmentOptions: { image: 0 },
      attachments: [{ id: '0', filename: 't.png', uploaded_filename: 'u/t.png' }],
    });
    expect(data).toEqual({
      version: '222', id: '111', name: 'swapid', type: 1,
      options: [
        { type: 3, name: 'idname', value: 'alice' },
        { type: 11, name: 'image', value: 0 },
        { type: 4, name: 'strength', value: 3 },
      ],
      attachments: [{ id: '0', filename: 't.png', uploaded_filename: 'u/t.png' }],
    });
  });

  it('rejects unknown options, missing required ones, bad integers and values outside the choices', () => {
    const base = { attachmentOptions: { image: 0 }, attachments: [{ id: '0', filename: 'a.png', uploaded_filename: 'x' }] };
    expect(() => buildCommandData(swapid, { ...base, options: { idname: 'a', nope: 1 } })).toThrow(InvalidCommandOptionsError);
    expect(() => buildCommandData(swapid, { ...base, options: {} })).toThrow(/idname/);
    expect(() => buildCommandData(swapid, { options: { idname: 'a' } })).toThrow(/image/);
    expect(() => buildCommandData(swapid, { ...base, options: { idname: 'a', strength: 1.5 } })).toThrow(/integer/);
    expect(() => buildCommandData(swapid, { ...base, options: { idname: 'a', font: 'COMIC' } })).toThrow(/MODERN/);
  });

  it('nests options under a subcommand', () => {
    const command: ApplicationCommand = { id: '1', application_id: 'a', version: '2', type: 1, name: 'cfg', options: [{ type: 1, name: 'set', options: [{ type: 3, name: 'key', required: true }] }] };
    expect(buildCommandData(command, { subcommand: ['set'], options: { key: 'k' } }).options).toEqual([
      { type: 1, name: 'set', options: [{ type: 3, name: 'key', value: 'k' }] },
    ]);
  });

  it('sends target_id for message context commands', () => {
    const command: ApplicationCommand = { id: '9', application_id: 'a', version: '3', type: 3, name: 'INSwapper' };
    expect(buildCommandData(command, { targetId: '777' })).toEqual({ version: '3', id: '9', name: 'INSwapper', type: 3, target_id: '777', options: [] });
    expect(() => buildCommandData(command, {})).toThrow(/target/);
  });
});

describe('buttons', () => {
  const msg: DiscordMessage = {
    id: '1', channel_id: 'c', author: { id: 'b', username: 'b' }, content: '',
    components: [{ type: 1, components: [
      { type: 2, style: 2, custom_id: 'retry::1' },
      { type: 2, style: 2, custom_id: 'off', disabled: true },
      { type: 2, style: 5, url: 'https://x', custom_id: 'link' },
    ] }],
  };

  it('finds a clickable button and refuses disabled and link buttons', () => {
    expect(findButton(msg, 'retry::1').custom_id).toBe('retry::1');
    expect(() => findButton(msg, 'off')).toThrow(/disabled/);
    expect(() => findButton(msg, 'link')).toThrow(/cannot be clicked/);
    expect(() => findButton(msg, 'missing')).toThrow(/no component/);
  });
});
