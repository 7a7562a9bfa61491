import { CommandNotFoundError } from './errors.ts';
import type { RestClient } from './rest/client.ts';
import type { ApplicationCommand, ApplicationCommandIndex } from './types.ts';

/** Where commands are looked up: a guild's index, or a private (DM) channel's index. */
export type CommandScope = { guildId: string } | { channelId: string };

export interface CommandQuery {
  /** The guild for guild channels; omit for DM channels (the channel's own index is used). */
  guildId?: string;
  channelId: string;
  applicationId: string;
  name: string;
  /** Command type: 1 slash (default), 3 message context menu. */
  type?: number;
}

export interface CommandCacheOptions {
  /** Entries older than this are refetched on the next lookup. Default 10 min. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The application-command-index cache of one account. Commands are always read from Discord
 * (guild index for guild channels, channel index for DMs) and matched by application id **and**
 * name — never by position, never by a hard-coded id or version. When Discord says a cached
 * version is stale, {@link invalidate} drops the entry so the next lookup refetches it.
 */
export class CommandCache {
  private readonly entries = new Map<string, { index: ApplicationCommandIndex; fetchedAt: number }>();
  private readonly inflight = new Map<string, Promise<ApplicationCommandIndex>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly rest: RestClient,
    options: CommandCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Finds the command, fetching the index when it is not cached (or `refresh` is set). */
  async resolve(query: CommandQuery, options: { refresh?: boolean } = {}): Promise<ApplicationCommand> {
    const scope = scopeOf(query);
    const index = await this.index(scope, options.refresh ?? false);
    const command = findCommand(index, query.applicationId, query.name, query.type ?? 1);
    if (command) return command;
    if (!options.refresh) {
      // A command added after we cached the index: look once more before giving up.
      const fresh = await this.index(scope, true);
      const again = findCommand(fresh, query.applicationId, query.name, query.type ?? 1);
      if (again) return again;
    }
    throw new CommandNotFoundError(query.applicationId, query.name, describeScope(scope));
  }

  /** The whole index of a scope (cached). */
  async index(scope: CommandScope, refresh = false): Promise<ApplicationCommandIndex> {
    const key = scopeKey(scope);
    const cached = this.entries.get(key);
    if (!refresh && cached && this.now() - cached.fetchedAt < this.ttlMs) return cached.index;
    const running = this.inflight.get(key);
    if (running) return running;
    const path = 'guildId' in scope ? `/guilds/${scope.guildId}/application-command-index` : `/channels/${scope.channelId}/application-command-index`;
    const request = this.rest
      .get<ApplicationCommandIndex>(path)
      .then((index) => {
        this.entries.set(key, { index, fetchedAt: this.now() });
        return index;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  invalidate(scope: CommandScope): void {
    this.entries.delete(scopeKey(scope));
  }
}

/** Filters by application id and original (non-localized) name and type (spec §1.2). */
export function findCommand(index: ApplicationCommandIndex, applicationId: string, name: string, type = 1): ApplicationCommand | undefined {
  const app = index.applications?.find((a) => a.id === applicationId || a.bot_id === applicationId);
  const ids = new Set([applicationId, app?.id, app?.bot_id].filter((x): x is string => typeof x === 'string'));
  return index.application_commands?.find(
    (c) => ids.has(c.application_id) && (c.name_default ?? c.name) === name && (c.type ?? 1) === type,
  );
}

export function scopeOf(query: { guildId?: string; channelId: string }): CommandScope {
  return query.guildId ? { guildId: query.guildId } : { channelId: query.channelId };
}

function scopeKey(scope: CommandScope): string {
  return 'guildId' in scope ? `guild:${scope.guildId}` : `channel:${scope.channelId}`;
}

function describeScope(scope: CommandScope): string {
  return 'guildId' in scope ? `guild ${scope.guildId}` : `channel ${scope.channelId}`;
}
