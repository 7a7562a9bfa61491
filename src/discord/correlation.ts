import { compareSnowflakes } from './snowflake.ts';
import type { DiscordMessage } from './types.ts';

/**
 * Pure reply correlation (spec §2.9): decides which pending interaction a gateway event or a
 * message read from history belongs to. Strongest signal first:
 *
 * 1. `nonce` — the bot's first response carries the interaction's nonce;
 * 2. interaction id — `interaction_metadata.id` (or the deprecated `interaction.id`) equals the id
 *    learned from `INTERACTION_CREATE`;
 * 3. follow-ups — `interaction_metadata.original_response_message_id` is a message we already own,
 *    or a modal's `triggering_interaction_metadata.id` is our interaction; and, when
 *    INTERACTION_CREATE was missed, metadata naming our own command (learning the interaction id);
 * 4. component responses — a new bot message referencing the clicked message
 *    (`message_reference.message_id` / `interacted_message_id`), or an edit of the clicked message
 *    itself after the click was accepted (callback UPDATE_MESSAGE);
 *    A bot message whose `message_reference` names any message an interaction already owns (a
 *    reply to our acknowledgement) belongs to that interaction;
 * 5. unlinked follow-ups — a message by the bot in the same channel, newer than the interaction,
 *    that mentions our user, when exactly one pending interaction of that bot waits in the channel;
 *    when several wait (Pika runs several jobs in one DM), the one whose prompt the message quotes
 *    (`Prompt: …`);
 * 6. one-command channels — for bots that run one command per channel (`exclusiveChannel`), a
 *    newer bot message in the channel, even without a mention, when exactly one interaction waits.
 *
 * Rules 4–6 are heuristics and only apply when exactly one pending interaction qualifies. Late
 * answers to an interaction that already failed are kept out by the caller: it holds the channel
 * back (quarantine) before sending the next command there.
 * A message carrying another user's interaction metadata is never ours. Once a message is
 * matched, its edits (`MESSAGE_UPDATE`) and deletion follow it by message id.
 */

export interface PendingSpec {
  nonce: string;
  channelId: string;
  /** The bot's application id; the bot's user id is the same for the bots we drive (also accepted via `botUserId`). */
  applicationId: string;
  botUserId?: string;
  /** For button clicks: the message that carried the button. */
  clickedMessageId?: string;
  /**
   * Snowflake of the moment just before sending (from our clock): until the interaction id is
   * known, older messages are never matched by heuristics; afterwards the interaction id is the bound.
   */
  since: string;
  /** Allow rule 5 (default true). */
  unlinkedFallback?: boolean;
  /** For slash commands: the command name, to recognise `interaction_metadata.name` when the interaction id was missed. */
  commandName?: string;
  /** The bot runs one command per channel: any newer bot message in the channel answers the one pending interaction (rule 6). */
  exclusiveChannel?: boolean;
  /** The prompt the bot will quote (`Prompt: …`), telling several pending jobs in one channel apart. */
  prompt?: string;
}

/**
 * What a process knows about an interaction that was sent before it started (crash recovery): it
 * is followed again with the same rules as a live one, its interaction id and the bot's messages
 * already seen taking the place of what INTERACTION_CREATE and the first replies would have said.
 */
export interface ResumeSpec extends PendingSpec {
  interactionId?: string;
  /** The bot's messages already known to answer it: their edits and follow-ups match by id. */
  messageIds?: readonly string[];
}

export type MatchRule = 'nonce' | 'interaction_id' | 'follow_up' | 'metadata' | 'reference' | 'clicked_message' | 'mention' | 'prompt' | 'channel';

export type CorrelationEvent =
  | { type: 'interaction_created'; interactionId: string }
  | { type: 'interaction_succeeded'; interactionId: string | undefined }
  | { type: 'interaction_failed'; interactionId: string | undefined; reasonCode: number }
  | { type: 'modal'; data: Record<string, unknown> }
  | { type: 'message_created'; message: DiscordMessage; rule: MatchRule }
  | { type: 'message_updated'; message: DiscordMessage; rule?: MatchRule }
  | { type: 'message_deleted'; messageId: string };

interface Pending extends PendingSpec {
  interactionId: string | undefined;
  accepted: boolean;
  /** Current version of every message we own, by id. */
  messages: Map<string, DiscordMessage>;
  listener: (event: CorrelationEvent) => void;
}

export class ReplyCorrelator {
  private readonly pending = new Set<Pending>();
  private readonly byNonce = new Map<string, Pending>();
  private readonly byMessage = new Map<string, Pending>();

  /** @param selfUserId the account's own user id (known after READY). */
  constructor(private readonly selfUserId: () => string | undefined) {}

  get size(): number {
    return this.pending.size;
  }

  /** Channels with pending interactions and the oldest `since` of each (reconciliation). */
  channels(): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of this.pending) {
      const bound = lowerBound(p);
      const cur = out.get(p.channelId);
      if (!cur || compareSnowflakes(bound, cur) < 0) out.set(p.channelId, bound);
    }
    return out;
  }

  /** Starts following an interaction. Returns the function that stops following it. */
  register(spec: PendingSpec, listener: (event: CorrelationEvent) => void): { renonce(nonce: string): void; unregister(): void } {
    const entry: Pending = { ...spec, interactionId: undefined, accepted: false, messages: new Map(), listener };
    this.pending.add(entry);
    this.byNonce.set(spec.nonce, entry);
    return {
      // A retried POST (fresh nonce after a stale command version) keeps the same follower.
      renonce: (nonce: string) => {
        this.byNonce.delete(entry.nonce);
        entry.nonce = nonce;
        this.byNonce.set(nonce, entry);
      },
      unregister: () => {
        this.pending.delete(entry);
        if (this.byNonce.get(entry.nonce) === entry) this.byNonce.delete(entry.nonce);
        for (const id of entry.messages.keys()) if (this.byMessage.get(id) === entry) this.byMessage.delete(id);
      },
    };
  }

  /**
   * Follows again an interaction sent earlier (by this process before a restart): same matching
   * as {@link register}, starting from what was already known. Feed the channel's history
   * afterwards ({@link observeHistoryMessage}) for replies sent while nobody listened.
   */
  resume(spec: ResumeSpec, listener: (event: CorrelationEvent) => void): { renonce(nonce: string): void; unregister(): void } {
    const { interactionId, messageIds = [], ...pending } = spec;
    const registration = this.register(pending, listener);
    const entry = this.byNonce.get(pending.nonce)!;
    if (interactionId) entry.interactionId = interactionId;
    for (const id of messageIds) this.byMessage.set(id, entry);
    return {
      renonce: registration.renonce,
      unregister: () => {
        registration.unregister();
        for (const id of messageIds) if (this.byMessage.get(id) === entry) this.byMessage.delete(id);
      },
    };
  }

  /** Feeds one gateway dispatch. Unrelated events are ignored. */
  handleDispatch(event: string, data: unknown): void {
    if (!data || typeof data !== 'object') return;
    const d = data as Record<string, unknown>;
    switch (event) {
      case 'INTERACTION_CREATE': {
        const entry = this.findByInteraction(d);
        if (entry && typeof d.id === 'string') {
          entry.interactionId = d.id;
          entry.listener({ type: 'interaction_created', interactionId: d.id });
        }
        return;
      }
      case 'INTERACTION_SUCCESS': {
        const entry = this.findByInteraction(d);
        if (entry) {
          entry.accepted = true;
          if (typeof d.id === 'string') entry.interactionId ??= d.id;
          entry.listener({ type: 'interaction_succeeded', interactionId: entry.interactionId });
        }
        return;
      }
      case 'INTERACTION_FAILURE': {
        const entry = this.findByInteraction(d);
        if (entry) entry.listener({ type: 'interaction_failed', interactionId: entry.interactionId, reasonCode: Number(d.reason_code ?? 1) });
        return;
      }
      case 'INTERACTION_MODAL_CREATE':
      case 'INTERACTION_IFRAME_MODAL_CREATE': {
        const entry = this.findByInteraction(d);
        if (entry) entry.listener({ type: 'modal', data: d });
        return;
      }
      case 'MESSAGE_CREATE':
        this.observe(d as unknown as DiscordMessage, 'create');
        return;
      case 'MESSAGE_UPDATE':
        this.observe(d as unknown as DiscordMessage, 'update');
        return;
      case 'MESSAGE_DELETE': {
        const id = String(d.id);
        const entry = this.byMessage.get(id);
        if (entry) {
          entry.messages.delete(id);
          this.byMessage.delete(id);
          entry.listener({ type: 'message_deleted', messageId: id });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * Feeds a message read from channel history (reconciliation after a reconnect): unknown
   * messages go through the matching rules, known ones are reported as updates if they changed.
   */
  observeHistoryMessage(message: DiscordMessage): void {
    this.observe(message, 'history');
  }

  private findByInteraction(d: Record<string, unknown>): Pending | undefined {
    if (d.nonce !== undefined && d.nonce !== null) {
      const entry = this.byNonce.get(String(d.nonce));
      if (entry) return entry;
    }
    if (typeof d.id === 'string') for (const p of this.pending) if (p.interactionId === d.id) return p;
    return undefined;
  }

  private observe(message: DiscordMessage, source: 'create' | 'update' | 'history'): void {
    if (!message || typeof message.id !== 'string') return;
    const owner = this.byMessage.get(message.id);
    if (owner) {
      const previous = owner.messages.get(message.id);
      // Since late 2024 MESSAGE_UPDATE carries the full message: replace the copy, or removed parts
      // (emptied components, embeds) would never clear (real-world.md §1). Only an update without
      // an author (an old partial one) is overlaid on what we have.
      const merged = previous && !message.author ? ({ ...previous, ...message } as DiscordMessage) : message;
      if (source === 'history' && previous && fingerprint(previous) === fingerprint(merged)) return;
      owner.messages.set(message.id, merged);
      owner.listener({ type: 'message_updated', message: merged });
      return;
    }
    if (!isOurs(message, this.selfUserId())) return;
    const match = this.match(message, source);
    if (!match) return;
    const [entry, rule] = match;
    entry.messages.set(message.id, message);
    this.byMessage.set(message.id, entry);
    if (rule === 'clicked_message') entry.listener({ type: 'message_updated', message, rule });
    else entry.listener({ type: 'message_created', message, rule });
  }

  private match(message: DiscordMessage, source: 'create' | 'update' | 'history'): [Pending, MatchRule] | undefined {
    const inChannel = [...this.pending].filter((p) => p.channelId === message.channel_id);
    if (inChannel.length === 0) return undefined;

    if (message.nonce !== undefined && message.nonce !== null) {
      const entry = this.byNonce.get(String(message.nonce));
      if (entry && entry.channelId === message.channel_id) {
        // The response names its interaction: learn the id if INTERACTION_CREATE was missed (a
        // resumed interaction), so later replies are bounded by Discord's clock, not ours.
        entry.interactionId ??= metaIdOf(message);
        return [entry, 'nonce'];
      }
    }
    const metaId = message.interaction_metadata?.id ?? message.interaction?.id;
    if (metaId) {
      const entry = inChannel.find((p) => p.interactionId === metaId);
      if (entry) return [entry, 'interaction_id'];
    }
    const original = message.interaction_metadata?.original_response_message_id;
    if (original) {
      const entry = this.byMessage.get(original);
      if (entry && entry.channelId === message.channel_id) return [entry, 'follow_up'];
    }
    const triggering = message.interaction_metadata?.triggering_interaction_metadata?.id;
    if (triggering) {
      const entry = inChannel.find((p) => p.interactionId === triggering);
      if (entry) return [entry, 'follow_up'];
    }
    const fromBot = (p: Pending): boolean =>
      message.author?.id === p.applicationId || message.author?.id === p.botUserId || message.application_id === p.applicationId;
    const newer = (p: Pending): boolean => compareSnowflakes(message.id, lowerBound(p)) > 0;
    // INTERACTION_CREATE was missed (the session dropped right after sending): our own command,
    // by name, newer than the interaction, and only one pending interaction it can be.
    const metaName = (message.interaction_metadata?.name ?? message.interaction?.name)?.split(' ')[0];
    if (metaId && metaName) {
      const candidates = inChannel.filter((p) => p.interactionId === undefined && p.commandName === metaName && fromBot(p) && newer(p));
      if (candidates.length === 1) {
        candidates[0]!.interactionId = metaId;
        return [candidates[0]!, 'metadata'];
      }
    }
    // From here on: heuristics. A message that names an interaction we do not know is not ours
    // (it answers someone else's, or an older, interaction).
    const knownElsewhere = metaId !== undefined && inChannel.every((p) => p.interactionId !== metaId);

    if (source === 'update') {
      // Callback UPDATE_MESSAGE: the clicked message itself is edited after the click was accepted.
      const clicked = inChannel.filter((p) => p.clickedMessageId === message.id && p.interactionId !== undefined && fromBot(p));
      if (clicked.length === 1 && (!metaId || metaId === clicked[0]!.interactionId)) return [clicked[0]!, 'clicked_message'];
    }
    const referenced = message.interaction_metadata?.interacted_message_id ?? message.message_reference?.message_id;
    if (referenced && !knownElsewhere) {
      const candidates = inChannel.filter((p) => p.clickedMessageId === referenced && fromBot(p) && newer(p));
      if (candidates.length === 1) return [candidates[0]!, 'reference'];
      // A reply to a message an interaction already owns (e.g. its acknowledgement).
      const owner = this.byMessage.get(referenced);
      if (owner && owner.channelId === message.channel_id && fromBot(owner)) return [owner, 'reference'];
    }
    const self = this.selfUserId();
    const unlinked = (p: Pending) => p.unlinkedFallback !== false && fromBot(p) && newer(p);
    if (self && !knownElsewhere && mentions(message, self)) {
      const candidates = inChannel.filter(unlinked);
      if (candidates.length === 1) return [candidates[0]!, 'mention'];
      const quoted = candidates.filter((p) => quotesPrompt(message, p.prompt));
      if (quoted.length === 1) return [quoted[0]!, 'prompt'];
    }
    if (!knownElsewhere) {
      const candidates = inChannel.filter(unlinked);
      if (candidates.length === 1 && candidates[0]!.exclusiveChannel) return [candidates[0]!, 'channel'];
    }
    return undefined;
  }
}

/**
 * Messages older than this cannot answer the interaction. The interaction id is a snowflake made
 * by Discord when it accepted the interaction, so it orders against message ids without any
 * clock skew between us and Discord; our own time-based `since` is only the fallback until
 * INTERACTION_CREATE has told us that id.
 */
function lowerBound(p: Pending): string {
  return p.interactionId ?? p.since;
}

function metaIdOf(message: DiscordMessage): string | undefined {
  return message.interaction_metadata?.id ?? message.interaction?.id;
}

/** A message whose interaction metadata names another user answers someone else. */
function isOurs(message: DiscordMessage, self: string | undefined): boolean {
  const user = message.interaction_metadata?.user?.id ?? message.interaction?.user?.id;
  return !self || !user || user === self;
}

function mentions(message: DiscordMessage, userId: string): boolean {
  if (message.mentions?.some((m) => m.id === userId)) return true;
  return typeof message.content === 'string' && (message.content.includes(`<@${userId}>`) || message.content.includes(`<@!${userId}>`));
}

/** The message quotes this prompt as `Prompt: …` (Pika's final and progress messages do). */
export function quotesPrompt(message: DiscordMessage, prompt: string | undefined): boolean {
  if (!prompt || typeof message.content !== 'string') return false;
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
  const at = message.content.search(/\bPrompt:\s*/i);
  if (at < 0) return false;
  return squash(message.content.slice(at).replace(/^Prompt:\s*/i, '')).startsWith(squash(prompt));
}

function fingerprint(m: DiscordMessage): string {
  return JSON.stringify([m.content, m.edited_timestamp ?? null, m.flags ?? 0, m.attachments?.map((a) => a.id) ?? [], m.components ?? [], m.embeds ?? []]);
}
