/**
 * Registering a bot's application, bot user and commands. Command ids and versions are fresh
 * snowflakes per simulator — never constants a client could hard-code (spec §1.2).
 */
import type { ApplicationRecord, CommandOption, CommandRecord, World } from '../state.ts';

export interface CommandSpec {
  name: string;
  description: string;
  /** 1 CHAT_INPUT (default), 3 MESSAGE context menu. */
  type?: number;
  options?: CommandOption[];
}

export function registerApplication(world: World, app: { id?: string; name: string; description: string; commands: CommandSpec[] }): ApplicationRecord {
  const bot = world.createUser({ username: app.name, bot: true, ...(app.id ? { id: app.id } : {}) });
  const record: ApplicationRecord = { id: bot.id, name: app.name, description: app.description, botUserId: bot.id, commands: [] };
  for (const spec of app.commands) {
    const command: CommandRecord = { id: world.ids.next(), applicationId: record.id, version: '', type: spec.type ?? 1, name: spec.name, description: spec.description, options: spec.options ?? [] };
    command.version = world.ids.next();
    record.commands.push(command);
  }
  world.applications.set(record.id, record);
  return record;
}

/** Gives a command a new version; the old one becomes stale. */
export function bumpVersion(world: World, app: ApplicationRecord, name: string): string {
  const command = app.commands.find((c) => c.name === name);
  if (!command) throw new Error(`unknown command ${name}`);
  command.version = world.ids.next();
  return command.version;
}

export const option = {
  string: (name: string, description: string, extra: Partial<CommandOption> = {}): CommandOption => ({ type: 3, name, description, ...extra }),
  attachment: (name: string, description: string, extra: Partial<CommandOption> = {}): CommandOption => ({ type: 11, name, description, ...extra }),
};

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
