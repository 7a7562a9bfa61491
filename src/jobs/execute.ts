/**
 * Runs one job against Discord: marks it started (the point of no return: a job is never sent
 * twice), sends each planned step, and reads the bot's messages into job updates until the job
 * ends. Used by the runner for new jobs and, with {@link followRecovered}, for jobs a previous
 * process left in flight.
 */
import { DiscordError, InteractionFailedError, quotesPrompt, type DiscordAccountClient, type DiscordMessage, type InteractionHandle } from '../discord/index.ts';
import { aliasOptions, type CommandStep, type Provider, type Verdict } from '../providers/index.ts';
import type { AccountRecord, JobPatch, JobRecord, JobStatus, Store } from '../store/index.ts';
import { ACTIVE_STATUSES } from '../store/index.ts';
import { renderJob } from './render.ts';
import { buttonsOf, messagePatch } from './message-fields.ts';
import { retainResults } from './retain.ts';
import { checkCommandsOnFirstUse } from './first-use-check.ts';
import { keepUnclassified, quarantineChannel, type BotReplyObserver, type InfoLog } from './bot-replies.ts';

export interface ExecutionContext {
  store: Store;
  provider: Provider;
  account: AccountRecord;
  client: DiscordAccountClient;
  now: () => number;
  changed: (jobid: string) => void;
  /** Lets the runner (timeouts, shutdown) stop following: closes the current handle. */
  register: (close: () => void) => void;
  /** Keep copies of the result files when the job completes. */
  retainResults?: boolean;
  log?: InfoLog;
  /** Hears about bot messages kept because no rule understood them (metrics). */
  observer?: BotReplyObserver;
  /** How long the channel is held back after the bot failed to answer (default 10 min). */
  quarantineMs?: number;
}

const RUNNING: readonly JobStatus[] = ['started', 'progress'];

/** Ends the job (if it is still active) and enqueues its webhook in the same transaction. */
export async function finishJob(ctx: Pick<ExecutionContext, 'store' | 'provider' | 'now' | 'changed'>, job: JobRecord, patch: JobPatch & { status: JobStatus }): Promise<JobRecord | undefined> {
  const webhook = job.replyUrl ? { url: job.replyUrl, render: (j: JobRecord) => renderJob(j, ctx.provider) } : undefined;
  const ended = await ctx.store.jobs.update(job.jobid, ACTIVE_STATUSES, patch, ctx.now(), webhook);
  ctx.changed(job.jobid);
  return ended;
}

export function failure(error: string, code: number, errorDetails?: string): JobPatch & { status: JobStatus } {
  return { status: 'failed', error, code, ...(errorDetails ? { errorDetails } : {}) };
}

/** A thrown error as the job's failure: what Discord said, never a token or a stack. */
export function failureFromError(error: unknown, provider?: Pick<Provider, 'displayName' | 'missingBotExplanation'>): JobPatch & { status: JobStatus } {
  // The bot's command is not in the channel's index: say what that means (a retired bot, a bot
  // that left the server, a renamed command) rather than a generic refusal.
  if (provider && error instanceof DiscordError && error.kind === 'command_not_found') {
    return failure(provider.missingBotExplanation ?? `${provider.displayName} does not offer this command in the channel (${error.message}); run switchboard doctor to see what differs`, provider.missingBotExplanation ? 410 : 422, error.message);
  }
  if (error instanceof InteractionFailedError) return failure(error.message, 504, 'Discord reported that the bot did not answer the interaction in time');
  if (error instanceof DiscordError) return failure(`Discord refused the command: ${error.message}`, 422, error.kind);
  return failure('The command could not be sent to Discord', 422, error instanceof Error ? error.message : String(error));
}

/** The steps planned at submission (stored with the job). */
export function stepsOf(job: JobRecord): CommandStep[] {
  return (job.runnerState.steps as CommandStep[] | undefined) ?? [];
}

async function send(ctx: ExecutionContext, job: JobRecord, step: CommandStep, files: Map<string, { filename: string; contentType: string; data: Buffer }>): Promise<InteractionHandle> {
  const where = { channelId: job.channel, ...(ctx.provider.location === 'guild' && job.server ? { guildId: job.server } : {}) };
  const applicationId = ctx.provider.applicationId ?? (await discoverApplicationId(ctx, job, step));
  switch (step.kind) {
    case 'slash': {
      // Options the bot renamed go out under their new names (the operator's optionAliases).
      const sent = aliasOptions(step, ctx.provider.rules?.current.table.optionAliases ?? {});
      return ctx.client.invokeCommand({
        ...where,
        applicationId,
        name: sent.command,
        options: sent.options,
        // One command per channel (faceswap): newer bot messages there answer this command.
        ...(ctx.provider.capacity(ctx.account) === 1 ? { exclusiveChannel: true } : {}),
        ...(typeof sent.options.prompt === 'string' ? { prompt: sent.options.prompt } : {}),
        files: Object.fromEntries(
          Object.entries(sent.files).flatMap(([option, field]) => {
            const file = files.get(field);
            return file ? [[option, { filename: file.filename, data: file.data, contentType: file.contentType }]] : [];
          }),
        ),
      });
    }
    case 'context':
      return ctx.client.invokeCommand({ ...where, applicationId, name: step.command, commandType: 3, targetId: step.targetId, ...(ctx.provider.capacity(ctx.account) === 1 ? { exclusiveChannel: true } : {}) });
    case 'button': {
      // The button is found again on the message as it is now, by the name the job showed.
      const message = await ctx.client.getMessage(job.channel, step.messageId);
      const button = buttonsOf(message).find((b) => ctx.provider.buttonName?.(`${b.name} ${b.customId}`) === step.button);
      if (!button) throw new Error(`the message no longer has a ${step.button} button`);
      return ctx.client.clickButton(message, button.customId, where.guildId ? { guildId: where.guildId } : {});
    }
  }
}

/** For bots whose id is not public (Pika): the application that owns the command in this DM. */
async function discoverApplicationId(ctx: ExecutionContext, job: JobRecord, step: CommandStep): Promise<string> {
  if (step.kind === 'button') return '';
  const index = await ctx.client.commands.index({ channelId: job.channel });
  const command = index.application_commands.find((c) => c.name === step.command);
  if (!command) throw new DiscordError('command_not_found', `no /${step.command} command in channel ${job.channel}`);
  return command.application_id;
}

/**
 * Applies one bot message to the job. Returns the verdict so the caller knows whether the step
 * (or the job) is over. Writes are compare-and-set: a cancelled job is left alone.
 */
/** Progress edits closer together than this are not each written (the next one or the result is). */
const PROGRESS_WRITE_INTERVAL_MS = 250;

/** Per followed job: when its progress was last written, and the messages already kept as not understood. */
export interface ProgressMemo {
  writtenAt?: number;
  kept?: Set<string>;
}

export async function applyMessage(
  ctx: Pick<ExecutionContext, 'store' | 'provider' | 'now' | 'changed' | 'account' | 'retainResults' | 'log' | 'observer'>,
  job: JobRecord,
  step: CommandStep,
  message: DiscordMessage,
  last: boolean,
  memo: ProgressMemo = {},
): Promise<Verdict> {
  const verdict = ctx.provider.interpret(message, step);
  if (ctx.provider.credits) {
    // Read the account afresh: its credits change with every job, not only this runner's.
    const current = (await ctx.store.accounts.getById(ctx.account.id))?.credits ?? null;
    const credits = ctx.provider.credits(current, message, verdict, ctx.now());
    if (credits) await ctx.store.accounts.setCredits(ctx.account.id, credits, ctx.now());
  }
  const fields = messagePatch(message, ctx.provider);
  // A reply whose words are all in embeds: its text is the job's content.
  if (verdict.kind === 'done' && verdict.text && !fields.content) fields.content = verdict.text;
  switch (verdict.kind) {
    case 'ignore':
      break;
    case 'unclassified': {
      const key = `${message.id}:${verdict.text}`;
      memo.kept ??= new Set();
      if (!memo.kept.has(key)) {
        memo.kept.add(key);
        await keepUnclassified(ctx, job, message);
      }
      break;
    }
    case 'progress':
    case 'submitted': {
      // The first acknowledgement is always written (asynchronous calls answer on it); a burst of
      // edits after it is thinned out, since only the latest one is worth showing.
      const now = ctx.now();
      if (verdict.kind === 'progress' && memo.writtenAt !== undefined && now - memo.writtenAt < PROGRESS_WRITE_INTERVAL_MS) break;
      memo.writtenAt = now;
      await ctx.store.jobs.update(job.jobid, RUNNING, { ...fields, status: verdict.kind === 'progress' ? 'progress' : 'started', runnerState: { ...job.runnerState, accepted: true } }, now);
      ctx.changed(job.jobid);
      break;
    }
    case 'done':
      if (last) {
        const results = ctx.retainResults && (message.attachments?.length ?? 0) > 0 ? await retainResults(ctx.store, job.jobid, message, ctx.now()) : undefined;
        await finishJob(ctx, job, { ...fields, status: 'completed', code: 200, ...(results?.length ? { results } : {}) });
      }
      break;
    case 'failed':
      await finishJob(ctx, job, { ...fields, ...failure(verdict.error, 422, 'reported by the bot') });
      break;
    case 'moderated':
      await finishJob(ctx, job, { ...fields, status: 'moderated', error: verdict.error, code: 422 });
      break;
  }
  return verdict;
}

const ends = (v: Verdict) => v.kind === 'failed' || v.kind === 'moderated';

/** Follows one sent step until its verdict is final; resolves with that verdict (or undefined when closed). */
async function follow(ctx: ExecutionContext, job: JobRecord, step: CommandStep, handle: InteractionHandle, last: boolean): Promise<Verdict | undefined> {
  let recorded = false;
  const memo: ProgressMemo = {};
  for await (const event of handle.events()) {
    // Discord's interaction id links every later reply to this job; keep it for a restart.
    if (!recorded && handle.interactionId) {
      recorded = true;
      await ctx.store.jobs.update(job.jobid, [...RUNNING, 'cancelled'], { runnerState: { ...job.runnerState, interactionId: handle.interactionId } }, ctx.now());
      job = { ...job, runnerState: { ...job.runnerState, interactionId: handle.interactionId } };
    }
    if (event.type !== 'created' && event.type !== 'updated') continue;
    // This runner alone writes the job while it follows it (writes are compare-and-set against a
    // cancel), so the row it started with is current enough: no re-read per message.
    const verdict = await applyMessage(ctx, job, step, event.message, last, memo);
    if (verdict.kind === 'done' || ends(verdict)) return verdict;
  }
  return undefined;
}

/** Executes a `created` job from its first step. */
export async function executeJob(ctx: ExecutionContext, job: JobRecord, timeoutMs: number): Promise<void> {
  const now = ctx.now();
  const started = await ctx.store.jobs.update(job.jobid, ['created'], { status: 'started', startedAt: now, deadlineAt: now + timeoutMs, runnerState: { ...job.runnerState, sentAt: now, step: 0 } }, now);
  if (!started) return; // cancelled before it was sent
  ctx.changed(job.jobid);
  const steps = stepsOf(started);
  const files = new Map((await ctx.store.jobs.files(job.jobid)).map((f) => [f.field, f]));
  // Compared once per account (in the background): differences appear on the account and the dashboard.
  void checkCommandsOnFirstUse(ctx);
  let verdict: Verdict | undefined;
  for (const [index, step] of steps.entries()) {
    const last = index === steps.length - 1;
    let handle: InteractionHandle;
    try {
      handle = await send(ctx, started, step, files);
    } catch (error) {
      await finishJob(ctx, started, failureFromError(error, ctx.provider));
      return;
    }
    ctx.register(() => handle.close());
    const state = { ...started.runnerState, step: index, nonce: handle.nonce };
    await ctx.store.jobs.update(job.jobid, [...RUNNING, 'cancelled'], { runnerState: state }, ctx.now());
    try {
      verdict = await follow(ctx, { ...started, runnerState: state }, step, handle, last);
    } catch (error) {
      await finishJob(ctx, started, failureFromError(error));
      // The bot may still answer later: hold the channel back so that answer is never taken for another job.
      if (error instanceof InteractionFailedError) await quarantineChannel(ctx, ctx.now() + (ctx.quarantineMs ?? 10 * 60_000), 'interaction failed');
      return;
    } finally {
      handle.close();
    }
    if (!verdict || ends(verdict)) break;
  }
  // The bot is done with the job: a cancelled job's slot can go back. Without a verdict this
  // process stopped following (shutdown, lease lost): the next owner or the sweeper decides.
  if (verdict) await ctx.store.jobs.releaseSlot(job.jobid, ctx.now());
}

/**
 * Takes over a job that a previous process had sent: its result is read from the channel's
 * history, or awaited live, but the command is never sent again. A job stopped between two steps
 * fails with a clear error rather than guessing.
 */
export async function followRecovered(ctx: ExecutionContext, job: JobRecord): Promise<void> {
  const steps = stepsOf(job);
  const index = Number(job.runnerState.step ?? 0);
  const step = steps[index];
  if (!step) {
    await finishJob(ctx, job, failure('switchboard restarted while this job was being sent and cannot tell whether Discord received it', 504));
    return;
  }
  const last = index === steps.length - 1;
  const user = await ctx.client.start().then((ready) => ready.user);
  const since = job.startedAt ?? job.createdAt;
  const { interactionId, nonce } = job.runnerState as { interactionId?: string; nonce?: string };
  // Linked replies name this job's interaction (or are the message it already had).
  const linked = (m: DiscordMessage) =>
    (job.messageId !== null && m.id === job.messageId) ||
    // A reply to the message the job already had (its acknowledgement).
    (job.messageId !== null && m.message_reference?.message_id === job.messageId) ||
    (interactionId !== undefined && (m.interaction_metadata?.id === interactionId || m.interaction?.id === interactionId)) ||
    (nonce !== undefined && m.nonce !== undefined && m.nonce !== null && String(m.nonce) === nonce);
  // Bots that post results as plain messages can only be matched by mention and time — safe
  // only where one job at a time runs in the channel.
  // The same heuristics as live correlation: in a one-command channel any newer bot message
  // (mention or not) that names no other interaction; elsewhere one that quotes the job's prompt.
  const prompt = typeof job.request.prompt === 'string' ? job.request.prompt : undefined;
  const otherInteraction = (m: DiscordMessage) => {
    const id = m.interaction_metadata?.id ?? m.interaction?.id;
    return id !== undefined && id !== interactionId;
  };
  const mentioned = (m: DiscordMessage) =>
    !otherInteraction(m) &&
    Date.parse(m.timestamp ?? '') >= since - 2000 &&
    (ctx.provider.capacity(ctx.account) === 1 || (prompt !== undefined && quotesPrompt(m, prompt) && (m.mentions?.some((u) => u.id === user.id) ?? false)));
  const relevant = (m: DiscordMessage) => m.channel_id === job.channel && m.author?.id !== user.id && (linked(m) || mentioned(m));

  const verdict = await new Promise<Verdict | undefined>((resolve) => {
    let settled = false;
    const queue: DiscordMessage[] = [];
    let working = false;
    const finish = (v: Verdict | undefined) => {
      if (settled) return;
      settled = true;
      off();
      resolve(v);
    };
    const pump = async () => {
      if (working) return;
      working = true;
      while (queue.length > 0 && !settled) {
        const message = queue.shift()!;
        const current = (await ctx.store.jobs.getById(job.jobid)) ?? job;
        const v = await applyMessage(ctx, current, step, message, last);
        if (v.kind === 'done' || ends(v)) finish(v);
      }
      working = false;
    };
    const off = ctx.client.on('dispatch', (event, data) => {
      if ((event === 'MESSAGE_CREATE' || event === 'MESSAGE_UPDATE') && relevant(data as DiscordMessage)) {
        queue.push(data as DiscordMessage);
        void pump();
      }
    });
    ctx.register(() => finish(undefined));
    void ctx.client
      .listMessages(job.channel, { limit: 50 })
      .then((history) => {
        queue.unshift(...history.filter(relevant).reverse());
        return pump();
      })
      .catch(() => undefined);
  });
  if (verdict?.kind === 'done' && !last) {
    await finishJob(ctx, job, failure('switchboard restarted between two steps of this job; run it again', 504));
  }
  if (verdict) await ctx.store.jobs.releaseSlot(job.jobid, ctx.now());
}
