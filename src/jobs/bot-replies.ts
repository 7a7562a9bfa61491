/**
 * Nothing the bot says is lost (issue 12 items 3 and 4): a bot message no reply rule understood
 * is kept with its job and its account, logged at `info` and counted; a timed-out job's error
 * quotes what the bot last said; after an interaction failure or a timeout the channel is held
 * back (quarantined) and late bot messages in it are recorded on the account, never given to
 * another job.
 */
import { snowflakeFromTimestamp, type DiscordAccountClient, type DiscordMessage } from '../discord/index.ts';
import { readMessage, stripMentions, type Provider } from '../providers/index.ts';
import type { AccountRecord, BotMessageNote, JobRecord, Store } from '../store/index.ts';

/** The slice of a logger used here (pino's, or the runner's narrow one). */
export interface InfoLog {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** Notes kept per job and per account. */
export const KEEP_NOTES = 20;
const MAX_TEXT = 1000;

/** Who hears about kept messages (metrics, logs). */
export interface BotReplyObserver {
  botMessageKept?(bot: string, reason: BotMessageNote['reason']): void;
}

export function noteOf(provider: Provider, message: DiscordMessage, reason: BotMessageNote['reason'], now: number, jobid?: string): BotMessageNote {
  const text = provider.rules ? readMessage(provider.rules.current, message).text : stripMentions(message.content ?? '');
  return {
    at: now,
    messageId: String(message.id),
    channelId: String(message.channel_id),
    text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text,
    reason,
    attachments: message.attachments?.length ?? 0,
    embeds: message.embeds?.length ?? 0,
    ...(jobid ? { jobid } : {}),
  };
}

/** Keeps a message of this job that no rule understood: with the job, on the account, in the log. */
export async function keepUnclassified(
  deps: { store: Store; provider: Provider; account: AccountRecord; now: () => number; log?: InfoLog; observer?: BotReplyObserver },
  job: JobRecord,
  message: DiscordMessage,
): Promise<void> {
  const note = noteOf(deps.provider, message, 'unclassified', deps.now(), job.jobid);
  await deps.store.jobs.noteBotMessage(job.jobid, note, KEEP_NOTES);
  await deps.store.accounts.noteBotMessage(deps.account.id, note, KEEP_NOTES);
  deps.observer?.botMessageKept?.(deps.provider.name, 'unclassified');
  // The bot's words, never a token: messages carry none, and the account is named by its id.
  deps.log?.info({ bot: deps.provider.name, account: deps.account.id, job: job.jobid, messageId: note.messageId, text: note.text, attachments: note.attachments, embeds: note.embeds }, 'bot message not understood by any reply rule');
}

/** What the bot last said to this job: the last message no rule understood, or the last one it read. */
export function lastWords(job: JobRecord): string | undefined {
  const note = job.botMessages.at(-1);
  const text = note?.text || (job.content ? stripMentions(job.content) : '');
  return text === '' ? undefined : text;
}

/** The error of a job that timed out, quoting the bot. */
export function timeoutError(job: JobRecord): string {
  const said = lastWords(job);
  return said === undefined ? 'Timed out waiting for the bot; it said nothing after the command was sent' : `Timed out waiting for the bot; it last said: "${said.length > 300 ? `${said.slice(0, 299)}…` : said}"`;
}

/**
 * Holds the account's channel back until `until`: no command is sent there meanwhile, and bot
 * messages posted in it (a late answer to the failed command) are recorded on the account.
 * The watch lives in this process; the quarantine itself is in the store, for every instance.
 */
export async function quarantineChannel(
  deps: { store: Store; provider: Provider; account: AccountRecord; client: DiscordAccountClient; now: () => number; log?: InfoLog; observer?: BotReplyObserver },
  until: number,
  reason: string,
  /** When the failed command was sent (epoch ms): bot messages posted since then that no job owns are recorded too. */
  since?: number,
  /** Messages the failed job already owns (not recorded). */
  owned: readonly string[] = [],
): Promise<void> {
  await deps.store.accounts.setQuarantine(deps.account.id, until, deps.now());
  deps.log?.info({ bot: deps.provider.name, account: deps.account.id, channel: deps.account.channel, until: new Date(until).toISOString(), reason }, 'channel held back after the bot failed to answer');
  const self = deps.client.user?.id;
  const seen = new Set<string>();
  const record = (message: DiscordMessage) => {
    if (!message || message.channel_id !== deps.account.channel || !message.author || message.author.id === self || owned.includes(message.id)) return;
    const fromBot = message.author.bot === true || message.author.id === deps.provider.applicationId || message.application_id === deps.provider.applicationId;
    if (!fromBot || deps.now() >= until) return;
    const key = `${message.id}:${message.content ?? ''}:${message.attachments?.length ?? 0}`;
    if (seen.has(key)) return;
    seen.add(key);
    const note = noteOf(deps.provider, message, 'quarantined', deps.now());
    void deps.store.accounts.noteBotMessage(deps.account.id, note, KEEP_NOTES).catch(() => undefined);
    deps.observer?.botMessageKept?.(deps.provider.name, 'quarantined');
    deps.log?.info({ bot: deps.provider.name, account: deps.account.id, messageId: note.messageId, text: note.text, attachments: note.attachments }, 'late bot message in a held-back channel: recorded, given to no job');
  };
  const off = deps.client.on('dispatch', (event, data) => {
    if (event === 'MESSAGE_CREATE' || event === 'MESSAGE_UPDATE') record(data as DiscordMessage);
  });
  // What the bot posted between the failure and this watch (the same instant, or a restart).
  if (since !== undefined) {
    void deps.client
      .listMessages(deps.account.channel, { after: snowflakeFromTimestamp(since - 2000), limit: 50 })
      .then((history) => [...history].reverse().forEach(record))
      .catch(() => undefined);
  }
  const timer = setTimeout(off, Math.max(0, until - deps.now()));
  timer.unref?.();
}
