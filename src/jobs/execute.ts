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
import type { CommandStep, Provider, Verdict } from '../providers/index.ts';
import { RUNNING_STATUSES, type AccountRecord, type JobFile, type JobRecord, type Store } from '../store/index.ts';
import { endJob, failure, type JobEnding, type TerminalPatch } from './end-job.ts';
import { buttonsOf, messagePatch } from './message-fields.ts';
import { retainResults } from './retain.ts';
import { runnerStateOf, type RunnerState } from './runner-state.ts';

export interface ExecutionContext extends JobEnding {
  store: Store;
  provider: Provider;
  account: AccountRecord;
  client: DiscordAccountClient;
  /** Lets the runner (timeouts, shutdown) stop following: closes the current handle. */
  register: (close: () => void) => void;
  /** Keep copies of the result files when the job completes. */
  retainResults?: boolean;
}

/** A thrown error as the job's failure: what Discord said, never a token or a stack. */
export function failureFromError(error: unknown): TerminalPatch {
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
  switch (step.kind) {
    case 'slash': {
      const byField = Object.keys(step.files).length > 0 ? await files() : new Map<string, JobFile>();
      return ctx.client.invokeCommand({
        ...where,
        applicationId: state.applicationId ?? '',
        name: step.command,
        options: step.options,
        ...(nonce ? { nonce } : {}),
        files: Object.fromEntries(
          Object.entries(step.files).flatMap(([option, field]) => {
            const file = byField.get(field);
            return file ? [[option, { filename: file.filename, data: file.data, contentType: file.contentType }]] : [];
          }),
        ),
      });
    }
    case 'context':
      return ctx.client.invokeCommand({ ...where, applicationId: state.applicationId ?? '', name: step.command, commandType: 3, targetId: step.targetId, ...(nonce ? { nonce } : {}) });
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
}

/**
 * Applies one bot message to the job. Returns the verdict so the caller knows whether the step
 * (or the job) is over. Writes are compare-and-set: a cancelled job is left alone. What the
 * runner learned meanwhile (the interaction id, the message ids, the bot's acknowledgement) is
 * written with the message's own fields, in the same statement.
 */
export async function applyMessage(
  ctx: Pick<ExecutionContext, 'store' | 'provider' | 'now' | 'events' | 'providers' | 'account' | 'retainResults'>,
  job: JobRecord,
  step: CommandStep,
  message: DiscordMessage,
  last: boolean,
  memo: FollowMemo,
  handle?: Pick<InteractionHandle, 'interactionId' | 'nonce'>,
): Promise<Verdict> {
  const credits = ctx.provider.credits?.(message);
  if (credits) await ctx.store.accounts.setCredits(ctx.account.id, credits, ctx.now());
  const verdict = ctx.provider.interpret(message, step);
  const fields = messagePatch(message, ctx.provider);
  const end = async (patch: TerminalPatch) => {
    if (await endJob(ctx, job, patch)) memo.ended = true;
  };
  switch (verdict.kind) {
    case 'ignore':
      break;
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
        const results = ctx.retainResults && (message.attachments?.length ?? 0) > 0 ? await retainResults(ctx.store, job.jobid, message, ctx.now()) : undefined;
        await end({ ...fields, status: 'completed', code: 200, ...(results?.length ? { results } : {}) });
      }
      break;
    case 'failed':
      await end({ ...fields, ...failure(verdict.error, 422, 'reported by the bot') });
      break;
    case 'moderated':
      await end({ ...fields, status: 'moderated', error: verdict.error, code: 422 });
      break;
  }
  return verdict;
}

const ends = (v: Verdict) => v.kind === 'failed' || v.kind === 'moderated';

/** Follows one sent step until its verdict is final; resolves with that verdict (or undefined when closed). */
async function follow(ctx: ExecutionContext, job: JobRecord, step: CommandStep, handle: InteractionHandle, last: boolean, memo: FollowMemo): Promise<Verdict | undefined> {
  for await (const event of handle.events()) {
    if (event.type !== 'created' && event.type !== 'updated') continue;
    // This runner alone writes the job while it follows it (writes are compare-and-set against a
    // cancel), so the row it started with is current enough: no re-read per message.
    const verdict = await applyMessage(ctx, job, step, event.message, last, memo, handle);
    if (verdict.kind === 'done' || ends(verdict)) return verdict;
  }
  return undefined;
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
    await endJob(ctx, job, failureFromError(error));
    return;
  }
  // One write before Discord hears of the job: started, its deadline, and the step's nonce.
  const now = ctx.now();
  const state: RunnerState = { ...planned, step: 0, nonce: generateSnowflake(now), sentAt: now, ...(applicationId ? { applicationId } : {}) };
  const started = await ctx.store.jobs.update(job.jobid, ['created'], { status: 'started', startedAt: now, deadlineAt: now + timeoutMs, runnerState: state }, now);
  if (!started) return; // cancelled before it was sent
  ctx.events.changed(job.jobid, started, 'local');
  const files = lazyFiles(ctx, job.jobid);
  let handle: InteractionHandle;
  try {
    handle = await send(ctx, started, first, state, files);
  } catch (error) {
    await endAndRelease(ctx, started, failureFromError(error));
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
      await endAndRelease(ctx, current, failureFromError(error));
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
      await endAndRelease(ctx, current, failureFromError(error));
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
