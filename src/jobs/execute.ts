/**
 * Runs one job against Discord. {@link executeJob} starts a `created` job: in ONE write it marks
 * it started (the point of no return: a job is never sent twice) and records the first step's
 * nonce, minted before sending; then it sends the step. {@link resumeJob} takes over a job a
 * previous process had sent: the Discord client resumes following that interaction (nonce,
 * interaction id and messages known). From there both use the same path — {@link continueJob}:
 * follow the step's replies, send the next step, until the job ends — and every ending goes
 * through {@link endJob}.
 */
import { DiscordError, generateSnowflake, InteractionFailedError, type DiscordAccountClient, type DiscordMessage, type InteractionHandle } from '../discord/index.ts';
import { aliasOptions, type CommandStep, type Provider, type Verdict } from '../providers/index.ts';
import { RUNNING_STATUSES, type AccountRecord, type JobFile, type JobRecord, type Store } from '../store/index.ts';
import { endJob, failure, type JobEnding, type TerminalPatch } from './end-job.ts';
import { buttonsOf, messagePatch } from './message-fields.ts';
import { retainResults, type RetentionPolicy } from './retain.ts';
import { runnerStateOf, type RunnerState } from './runner-state.ts';
import { keepUnclassified, quarantineChannel, type BotReplyObserver, type InfoLog } from './bot-replies.ts';
import { checkCommandsOnFirstUse } from './first-use-check.ts';
import type { HealthEvent } from '../accounts/health.ts';

export interface ExecutionContext extends JobEnding {
  /** Where a bot's notice about the account goes (its health). */
  reportHealth?: (accountId: string, event: HealthEvent) => Promise<unknown>;
  store: Store;
  provider: Provider;
  account: AccountRecord;
  client: DiscordAccountClient;
  /** Lets the runner (timeouts, shutdown) stop following: closes the current handle. */
  register: (close: () => void) => void;
  /** Keep copies of the result files when the job completes (a policy guards the downloads). */
  retainResults?: boolean | RetentionPolicy;
  log?: InfoLog;
  /** Hears about bot messages kept because no rule understood them (metrics). */
  observer?: BotReplyObserver;
  /** How long the channel is held back after the bot failed to answer (default 10 min). */
  quarantineMs?: number;
}

const DEFAULT_QUARANTINE_MS = 10 * 60_000;

/** A thrown error as the job's failure: what Discord said, never a token or a stack. */
export function failureFromError(error: unknown, provider?: Pick<Provider, 'title' | 'name' | 'missingBotExplanation'>): TerminalPatch {
  // The bot's command is not in the channel's index: say what that means (a retired bot, a bot
  // that left the server, a renamed command) rather than a generic refusal.
  if (provider && error instanceof DiscordError && error.kind === 'command_not_found') {
    return failure(provider.missingBotExplanation ?? `${provider.title ?? provider.name} does not offer this command in the channel (${error.message}); run switchboard doctor to see what differs`, provider.missingBotExplanation ? 410 : 422, error.message);
  }
  if (error instanceof InteractionFailedError) return failure(error.message, 504, 'Discord reported that the bot did not answer the interaction in time');
  if (error instanceof DiscordError) return failure(`Discord refused the command: ${error.message}`, 422, error.kind);
  return failure('The command could not be sent to Discord', 422, error instanceof Error ? error.message : String(error));
}

/** For bots whose application id is not public: the application that owns the command in this channel. */
async function applicationIdFor(ctx: ExecutionContext, job: JobRecord, step: CommandStep): Promise<string | undefined> {
  if (step.kind === 'button') return undefined; // the clicked message names it
  if (ctx.provider.applicationId) return ctx.provider.applicationId;
  const index = await ctx.client.commands.index({ channelId: job.channel });
  const command = index.application_commands.find((c) => c.name === step.command);
  if (!command) throw new DiscordError('command_not_found', `no /${step.command} command in channel ${job.channel}`);
  return command.application_id;
}

async function send(ctx: ExecutionContext, job: JobRecord, step: CommandStep, state: RunnerState, files: () => Promise<Map<string, JobFile>>): Promise<InteractionHandle> {
  const where = { channelId: job.channel, ...(ctx.provider.location === 'guild' && job.server ? { guildId: job.server } : {}) };
  const nonce = state.nonce;
  // One command per channel (faceswap): newer bot messages there answer this command.
  const exclusive = ctx.provider.capacity(ctx.account) === 1 ? { exclusiveChannel: true } : {};
  switch (step.kind) {
    case 'slash': {
      // Options the bot renamed go out under their new names (the operator's optionAliases).
      const sent = aliasOptions(step, ctx.provider.rules?.current.table.optionAliases ?? {});
      const byField = Object.keys(sent.files).length > 0 ? await files() : new Map<string, JobFile>();
      return ctx.client.invokeCommand({
        ...where,
        applicationId: state.applicationId ?? '',
        name: sent.command,
        options: sent.options,
        ...(nonce ? { nonce } : {}),
        ...exclusive,
        ...(typeof step.options.prompt === 'string' ? { prompt: step.options.prompt } : {}),
        files: Object.fromEntries(
          Object.entries(sent.files).flatMap(([option, field]) => {
            const file = byField.get(field);
            return file ? [[option, { filename: file.filename, data: file.data, contentType: file.contentType }]] : [];
          }),
        ),
      });
    }
    case 'context':
      return ctx.client.invokeCommand({ ...where, applicationId: state.applicationId ?? '', name: step.command, commandType: 3, targetId: step.targetId, ...(nonce ? { nonce } : {}), ...exclusive });
    case 'button': {
      // The button is found again on the message as it is now, by the name the job showed.
      const message = await ctx.client.getMessage(job.channel, step.messageId);
      const button = buttonsOf(message).find((b) => ctx.provider.buttonName?.(`${b.name} ${b.customId}`) === step.button);
      if (!button) throw new Error(`the message no longer has a ${step.button} button`);
      return ctx.client.clickButton(message, button.customId, { ...(where.guildId ? { guildId: where.guildId } : {}), ...(nonce ? { nonce } : {}) });
    }
  }
}

/** Progress edits closer together than this are not each written (the next one or the result is). */
const PROGRESS_WRITE_INTERVAL_MS = 250;

/** Per followed step: what was last written, so unchanged state is not written again. */
export interface FollowMemo {
  writtenAt?: number;
  /** The runner state as stored. */
  state: RunnerState;
  /** Set when this runner ended the job (then its slot is already free). */
  ended?: boolean;
  /** Messages already kept as not understood (an edit that changes nothing is not kept twice). */
  kept?: Set<string>;
}

/**
 * Applies one bot message to the job. Returns the verdict so the caller knows whether the step
 * (or the job) is over. Writes are compare-and-set: a cancelled job is left alone. What the
 * runner learned meanwhile (the interaction id, the message ids, the bot's acknowledgement) is
 * written with the message's own fields, in the same statement.
 */
export async function applyMessage(
  ctx: Pick<ExecutionContext, 'store' | 'provider' | 'now' | 'events' | 'providers' | 'account' | 'retainResults' | 'log' | 'observer' | 'reportHealth'> & { client?: Pick<DiscordAccountClient, 'download'> },
  job: JobRecord,
  step: CommandStep,
  message: DiscordMessage,
  last: boolean,
  memo: FollowMemo,
  handle?: Pick<InteractionHandle, 'interactionId' | 'nonce'>,
): Promise<Verdict> {
  const verdict = ctx.provider.interpret(message, step);
  if (ctx.provider.credits) {
    // Read the account afresh: its credits change with every job, not only this runner's.
    const current = (await ctx.store.accounts.getById(ctx.account.id))?.credits ?? null;
    const credits = ctx.provider.credits(current, message, verdict, ctx.now());
    if (credits) await ctx.store.accounts.setCredits(ctx.account.id, credits, ctx.now());
  }
  const reported = ctx.provider.accountStatus?.(message, verdict, step);
  if (reported && Object.keys(reported).length > 0) {
    // Merged into what the bot said before (another message may have reported other fields), read afresh.
    const current = (await ctx.store.accounts.getById(ctx.account.id))?.reportedStatus?.fields ?? {};
    await ctx.store.accounts.setReportedStatus(ctx.account.id, { at: ctx.now(), fields: { ...current, ...reported } }, ctx.now());
  }
  const fields = messagePatch(message, ctx.provider);
  // A reply whose words are all in embeds: its text is the job's content.
  if (verdict.kind === 'done' && verdict.text && !fields.content) fields.content = verdict.text;
  await holdAccount(ctx, verdict);
  const end = async (patch: TerminalPatch) => {
    if (await endJob(ctx, job, patch)) memo.ended = true;
  };
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
      const known = memo.state.messageIds ?? [];
      const state: RunnerState = {
        ...memo.state,
        accepted: true,
        ...(handle?.interactionId ? { interactionId: handle.interactionId } : {}),
        ...(handle?.nonce ? { nonce: handle.nonce } : {}),
        messageIds: known.includes(message.id) ? known : [...known, message.id],
      };
      const changed = JSON.stringify(state) !== JSON.stringify(memo.state);
      const status = verdict.kind === 'progress' ? 'progress' : 'started';
      const written = await ctx.store.jobs.update(job.jobid, RUNNING_STATUSES, { ...fields, status, ...(changed ? { runnerState: state } : {}) }, now);
      if (written) {
        // The acknowledgement answers an asynchronous call, wherever it waits; progress is local news.
        ctx.events.changed(job.jobid, written, state.accepted && !memo.state.accepted ? 'everywhere' : 'local');
        memo.state = state;
      }
      break;
    }
    case 'done':
      if (last) {
        const results = ctx.retainResults && (message.attachments?.length ?? 0) > 0 ? await retainResults(ctx.store, job.jobid, message, ctx.now(), ctx.client ? (url) => ctx.client!.download(url) : undefined, { ...(ctx.retainResults === true ? {} : ctx.retainResults), tenantId: job.tenantId }) : undefined;
        await end({ ...fields, status: 'completed', code: 200, ...(results?.length ? { results } : {}) });
      }
      break;
    case 'failed':
      await end({ ...fields, ...failure(verdict.error, verdict.code ?? 422, 'reported by the bot') });
      break;
    case 'moderated':
      await end({ ...fields, status: 'moderated', error: verdict.error, code: 422 });
      break;
  }
  return verdict;
}

const ends = (v: Verdict) => v.kind === 'failed' || v.kind === 'moderated';

/** A bot notice about the account (see {@link Verdict}'s `hold`) takes it out of rotation until reset. */
async function holdAccount(ctx: Pick<ExecutionContext, 'account' | 'reportHealth'>, verdict: Verdict): Promise<void> {
  if ((verdict.kind === 'failed' || verdict.kind === 'moderated') && verdict.hold) {
    await ctx.reportHealth?.(ctx.account.id, { type: 'moderation_pending', detail: verdict.hold.detail });
  }
}

/** Follows one sent step until its verdict is final; resolves with that verdict (or undefined when closed). */
async function follow(ctx: ExecutionContext, job: JobRecord, step: CommandStep, first: InteractionHandle, last: boolean, memo: FollowMemo): Promise<Verdict | undefined> {
  let handle = first;
  // The bot may answer with a form (modal): once submitted, its answers follow the submit's interaction.
  for (let forms = 0; forms <= 3; forms++) {
    const next = await followHandle(ctx, job, step, handle, last, memo);
    if (next.kind === 'verdict') {
      if (handle !== first) handle.close();
      return next.verdict;
    }
    handle.close();
    try {
      handle = await ctx.client.submitModal(next.modal, next.values, ctx.provider.location === 'guild' && job.server ? { guildId: job.server } : {});
    } catch (error) {
      if (await endJob(ctx, job, failureFromError(error))) memo.ended = true;
      return { kind: 'failed', error: 'the form could not be submitted' };
    }
    const submitted = handle;
    ctx.register(() => submitted.close());
    // A restart follows the submit's interaction from now on.
    const state: RunnerState = { ...memo.state, nonce: submitted.nonce, sentAt: ctx.now() };
    delete state.interactionId;
    if (await ctx.store.jobs.update(job.jobid, RUNNING_STATUSES, { runnerState: state }, ctx.now())) memo.state = state;
  }
  handle.close();
  if (await endJob(ctx, job, failure('the bot kept answering with forms', 422))) memo.ended = true;
  return { kind: 'failed', error: 'the bot kept answering with forms' };
}

/** Follows one handle until a verdict ends the step, or the bot opens a form to submit. */
async function followHandle(
  ctx: ExecutionContext,
  job: JobRecord,
  step: CommandStep,
  handle: InteractionHandle,
  last: boolean,
  memo: FollowMemo,
): Promise<{ kind: 'verdict'; verdict: Verdict | undefined } | { kind: 'modal'; modal: Record<string, unknown>; values: Record<string, string> }> {
  for await (const event of handle.events()) {
    if (event.type === 'modal') {
      // A modal the provider reads as the job's end (e.g. a human check) ends it here.
      const verdict = ctx.provider.modal?.(event.data, step);
      if (verdict?.kind === 'submit') return { kind: 'modal', modal: event.data, values: verdict.values };
      if (verdict && ends(verdict)) {
        await holdAccount(ctx, verdict);
        const patch = verdict.kind === 'moderated' ? { status: 'moderated' as const, error: verdict.error, code: 422 } : failure(verdict.error, verdict.code ?? 422, 'reported by the bot');
        if (await endJob(ctx, job, patch)) memo.ended = true;
        return { kind: 'verdict', verdict };
      }
      continue;
    }
    if (event.type !== 'created' && event.type !== 'updated') continue;
    // This runner alone writes the job while it follows it (writes are compare-and-set against a
    // cancel), so the row it started with is current enough: no re-read per message.
    const verdict = await applyMessage(ctx, job, step, event.message, last, memo, handle);
    if (verdict.kind === 'done' || ends(verdict)) return { kind: 'verdict', verdict };
  }
  return { kind: 'verdict', verdict: undefined };
}

/** Executes a `created` job from its first step. */
export async function executeJob(ctx: ExecutionContext, job: JobRecord, timeoutMs: number): Promise<void> {
  const planned = runnerStateOf(job);
  const first = planned.steps[0];
  if (!first) {
    await endJob(ctx, job, failure('switchboard has no plan for this job', 422));
    return;
  }
  let applicationId: string | undefined;
  try {
    applicationId = await applicationIdFor(ctx, job, first);
  } catch (error) {
    await endJob(ctx, job, failureFromError(error, ctx.provider));
    return;
  }
  // One write before Discord hears of the job: started, its deadline, and the step's nonce.
  const now = ctx.now();
  const state: RunnerState = { ...planned, step: 0, nonce: generateSnowflake(now), sentAt: now, ...(applicationId ? { applicationId } : {}) };
  const started = await ctx.store.jobs.update(job.jobid, ['created'], { status: 'started', startedAt: now, deadlineAt: now + timeoutMs, runnerState: state }, now);
  if (!started) return; // cancelled before it was sent
  ctx.events.changed(job.jobid, started, 'local');
  // Compared once per account (in the background): differences appear on the account and the dashboard.
  void checkCommandsOnFirstUse(ctx);
  const files = lazyFiles(ctx, job.jobid);
  let handle: InteractionHandle;
  try {
    handle = await send(ctx, started, first, state, files);
  } catch (error) {
    await endAndRelease(ctx, started, failureFromError(error, ctx.provider));
    return;
  }
  await continueJob(ctx, started, 0, handle, files);
}

/**
 * Takes over a job that a previous process had sent: the command is never sent again; the
 * Discord client resumes following its interaction and the job goes on as a live one would.
 */
export async function resumeJob(ctx: ExecutionContext, job: JobRecord): Promise<void> {
  const state = runnerStateOf(job);
  const index = state.step;
  const step = index === undefined ? undefined : state.steps[index];
  if (index === undefined || !step) {
    await endJob(ctx, job, failure('switchboard restarted while this job was being sent and cannot tell whether Discord received it', 504));
    return;
  }
  const messageIds = [...new Set([...(state.messageIds ?? []), ...(job.messageId ? [job.messageId] : [])])];
  const handle = ctx.client.resumeFollowing({
    channelId: job.channel,
    // Rows written before nonces were minted ahead of sending may lack one: any fresh value then.
    nonce: state.nonce ?? generateSnowflake(),
    sentAt: state.sentAt ?? job.startedAt ?? job.createdAt,
    messageIds,
    ...(state.interactionId ? { interactionId: state.interactionId } : {}),
    ...(state.applicationId ?? ctx.provider.applicationId ? { applicationId: state.applicationId ?? ctx.provider.applicationId } : {}),
    ...(step.kind === 'slash' || step.kind === 'context' ? { commandName: step.command } : {}),
    ...(step.kind === 'button' ? { clickedMessageId: step.messageId } : {}),
    // The same heuristics as a live interaction: one-command channels, Pika's prompt.
    ...(ctx.provider.capacity(ctx.account) === 1 ? { exclusiveChannel: true } : {}),
    ...(step.kind === 'slash' && typeof step.options.prompt === 'string' ? { prompt: step.options.prompt } : {}),
  });
  await continueJob(ctx, job, index, handle, lazyFiles(ctx, job.jobid));
}

/** Follows step `index` through `handle`, then sends and follows the remaining steps, until the job ends. */
async function continueJob(ctx: ExecutionContext, job: JobRecord, index: number, handle: InteractionHandle, files: () => Promise<Map<string, JobFile>>): Promise<void> {
  const steps = runnerStateOf(job).steps;
  let current = job;
  let memo: FollowMemo = { state: runnerStateOf(job) };
  for (let i = index; ; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    ctx.register(() => handle.close());
    let verdict: Verdict | undefined;
    try {
      verdict = await follow(ctx, current, step, handle, last, memo);
    } catch (error) {
      // The bot may still answer later: hold the channel back (before the job ends and frees its
      // slot) so that answer is recorded and never taken for another job.
      if (error instanceof InteractionFailedError) {
        const state = runnerStateOf(current);
        await quarantineChannel(ctx, ctx.now() + (ctx.quarantineMs ?? DEFAULT_QUARANTINE_MS), 'interaction failed', state.sentAt ?? current.startedAt ?? current.createdAt, [...(state.messageIds ?? []), ...(current.messageId ? [current.messageId] : [])]).catch(() => undefined);
      }
      await endAndRelease(ctx, current, failureFromError(error, ctx.provider));
      return;
    } finally {
      handle.close();
    }
    // Without a verdict this process stopped following (shutdown, lease lost, deadline): the
    // next owner or the sweeper decides.
    if (!verdict) return;
    if (last || ends(verdict)) break;
    // The next step: its nonce is recorded before it is sent, as the first one's was.
    const nextStep = steps[i + 1]!;
    try {
      const applicationId = await applicationIdFor(ctx, current, nextStep);
      const now = ctx.now();
      const { steps: plan, token, accepted } = memo.state;
      const state: RunnerState = { steps: plan, ...(token ? { token } : {}), ...(accepted ? { accepted } : {}), sentAt: now, step: i + 1, nonce: generateSnowflake(now), ...(applicationId ? { applicationId } : {}) };
      const next = await ctx.store.jobs.update(job.jobid, RUNNING_STATUSES, { runnerState: state }, now);
      if (!next) break; // cancelled meanwhile: the bot is done with the step sent, so nothing more is sent
      current = next;
      memo = { state };
      handle = await send(ctx, current, nextStep, state, files);
    } catch (error) {
      await endAndRelease(ctx, current, failureFromError(error, ctx.provider));
      return;
    }
  }
  // The bot is done with the job: a cancelled job's slot can go back.
  if (!memo.ended) await ctx.store.jobs.releaseSlot(job.jobid, ctx.now());
}

/** Ends the job; if it had ended otherwise (cancelled), gives back the slot the cancel kept. */
async function endAndRelease(ctx: ExecutionContext, job: JobRecord, patch: TerminalPatch): Promise<void> {
  if (!(await endJob(ctx, job, patch))) await ctx.store.jobs.releaseSlot(job.jobid, ctx.now());
}

function lazyFiles(ctx: ExecutionContext, jobid: string): () => Promise<Map<string, JobFile>> {
  let files: Promise<Map<string, JobFile>> | undefined;
  return () => (files ??= ctx.store.jobs.files(jobid).then((list) => new Map(list.map((f) => [f.field, f]))));
}
