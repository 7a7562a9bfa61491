/**
 * Submission side of jobs (design principle 3): validate the command → select accounts (the
 * selector in `accounts/account-selector.ts`) → claim a capacity slot atomically in the store
 * and insert the job row, in one transaction. Execution belongs to the runner; callers that
 * block simply wait for the row to change. Cancelling ends a job through `endJob`.
 */
import type { AccountRecord, JobFile, JobRecord, Store, TenantRecord } from '../store/index.ts';
import { isTerminal, UniqueViolation } from '../store/index.ts';
import type { AccountSelector } from '../accounts/account-selector.ts';
import { ApiError, badRequest, OncePerParentConflict } from '../errors/index.ts';
import { checkFields, type BuiltCommand, type CommandInput, type Provider, type ProviderCommand, type ProviderRegistry } from '../providers/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { checkReplyUrl } from '../webhooks/index.ts';
import { endJob } from './end-job.ts';
import { maskToken, newJobId } from './job-id.ts';
import type { JobEvents } from './job-events.ts';
import { renderJob } from './render.ts';
import { plannedState } from './runner-state.ts';
import { TenantCap } from './tenant-cap.ts';

export interface JobServiceOptions {
  store: Store;
  /** Jobs that may wait per account for a slot (queueable commands); 0 = no queueing. */
  queueLimit: number;
  secrets: SecretBox;
  providers: ProviderRegistry;
  selector: AccountSelector;
  events: JobEvents;
  allowPrivateCallbacks: boolean;
  /**
   * Tells the runner there is work: `job` was just stored (or cancelled) on its account (a hint;
   * the runner also polls).
   */
  wake: (job: JobRecord) => void;
  now?: () => number;
  /** How often a waiting caller re-reads the job even without a notification. */
  pollIntervalMs?: number;
  /** Observer (metrics): a job was accepted. Endings are announced by `JobEvents.onEnded`. */
  onSubmitted?: (job: JobRecord) => void;
  /** Jobs one tenant may have waiting or running, all bots together (issue 15); checked by the claim when the tenant may be near it (tenant-cap.ts). */
  maxActiveJobsPerTenant?: number;
}

/** How long a queued job may wait for a slot before it fails (on top of its own run time). */
const QUEUE_WAIT_MS = 60 * 60_000;

export class JobService {
  readonly #o: Required<Omit<JobServiceOptions, 'onSubmitted' | 'maxActiveJobsPerTenant'>> & Pick<JobServiceOptions, 'onSubmitted' | 'maxActiveJobsPerTenant'>;
  /** Wakes every caller blocked in {@link waitFor} (used at shutdown). */
  readonly #waiters = new Set<() => void>();
  #stopping = false;
  /**
   * The last millisecond a job id was minted for, per channel: ids carry the millisecond and the
   * channel, so a burst on one channel takes the next free millisecond here instead of failing an
   * insert on the unique key (the retry below remains for ids minted by another instance).
   */
  readonly #lastStamp = new Map<string, number>();

  /** The tenant's cap on active jobs: when the claim must check it (see tenant-cap.ts). */
  readonly #cap: TenantCap | undefined;

  constructor(options: JobServiceOptions) {
    this.#o = { now: Date.now, pollIntervalMs: 500, ...options };
    this.#cap = options.maxActiveJobsPerTenant !== undefined ? new TenantCap(options.maxActiveJobsPerTenant, options.store, { now: this.#o.now }) : undefined;
  }

  provider(name: string): Provider {
    const provider = this.#o.providers.get(name);
    if (!provider) throw new ApiError(404, `Unknown bot ${name}`);
    return provider;
  }

  render(job: JobRecord): Record<string, unknown> {
    return renderJob(job, this.provider(job.bot));
  }

  /** The job as API responses show it: a queued job also says how many jobs are ahead of it. */
  async present(job: JobRecord & { jobsAhead?: number }): Promise<Record<string, unknown>> {
    if (!job.queued) return this.render(job);
    return renderJob(job, this.provider(job.bot), { jobsAhead: job.jobsAhead ?? (await this.#o.store.jobs.queuePosition(job)) });
  }

  /**
   * Validates, selects an account, claims its slot and stores the job. Throws ApiError. A queued
   * job comes back with `jobsAhead` as its claim counted it.
   */
  async submit(tenant: TenantRecord, provider: Provider, command: ProviderCommand, input: CommandInput): Promise<JobRecord & { jobsAhead?: number }> {
    const checked = checkFields(command.fields, input);
    if (!checked.ok) throw new ApiError(checked.status ?? 400, checked.error);
    const replyUrl = input.fields.replyUrl?.trim() || undefined;
    if (replyUrl) {
      const problem = checkReplyUrl(replyUrl, this.#o.allowPrivateCallbacks);
      if (problem) throw badRequest(problem);
    }
    const parent = command.selection === 'parent' ? await this.parentOf(tenant, provider, input.fields.jobid) : undefined;
    const built = command.build(input, parent);
    if (!built.ok) throw new ApiError(built.status ?? 400, built.error);
    const maxJobs = this.maxJobsOf(provider, input);

    const candidates = await this.#o.selector.select({
      tenant,
      provider,
      command,
      ...(parent ? { parent } : {}),
      ...(input.fields.channel !== undefined ? { channel: input.fields.channel } : {}),
      ...(input.fields.discord !== undefined ? { discord: input.fields.discord } : {}),
      ...(maxJobs !== undefined ? { maxJobs } : {}),
    });
    const files = Object.entries(checked.value).map(([field, f]) => ({ field, filename: f.filename, contentType: f.mediaType, data: f.data }));
    const draft = { tenant, provider, command, built: built.value, files, replyUrl, replyRef: input.fields.replyRef, parent };
    const executing = new Set<string>();
    // First a free slot anywhere; only then, when queueing is on, a place in a queue.
    // (With one candidate both happen in one claim: a slot if there is one, else a queue place.)
    const tenantLimit = await this.#cap?.limitFor(tenant.id);
    const queueing = command.queueable && this.#o.queueLimit > 0;
    const passes = !queueing ? [undefined] : candidates.length === 1 ? [this.#o.queueLimit] : [undefined, this.#o.queueLimit];
    for (const queueLimit of passes) {
      // Queue where the queue is shortest, so that no account's backlog outlasts the others'.
      const order = queueLimit ? await this.#o.selector.byQueueLength(candidates) : candidates;
      for (const account of order) {
        const limit = maxJobs ?? provider.capacity(account);
        const result = await this.insert(draft, account, limit, queueLimit, tenantLimit);
        if (!result.ok && result.reason === 'tenant_limit') {
          const max = this.#o.maxActiveJobsPerTenant;
          throw new ApiError(429, `Too many jobs waiting or running for this API token (at most ${max})`, 'wait for some to finish, or ask the operator to raise SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT');
        }
        if (result.ok) {
          this.#cap?.admitted(tenant.id);
          this.#o.events.changed(result.job.jobid, result.job, 'local');
          this.#o.wake(result.job);
          this.#o.onSubmitted?.(result.job);
          return result.job;
        }
        result.executing.forEach((id) => executing.add(id));
      }
    }
    throw new ApiError(
      429,
      queueing
        ? 'Every slot and every queue place is taken; retry later'
        : candidates.length === 1
          ? `Channel ${candidates[0]!.channel} is busy: it runs as many jobs as it may`
          : 'Every eligible channel is busy; retry later or configure more accounts',
      undefined,
      { executingJobs: [...executing] },
    );
  }

  private async parentOf(tenant: TenantRecord, provider: Provider, jobid: string | undefined): Promise<JobRecord> {
    const parent = await this.#o.store.jobs.get(tenant.id, jobid?.trim() ?? '');
    if (!parent || parent.bot !== provider.name) throw new ApiError(404, `Unable to locate job ${jobid?.trim()}`);
    return parent;
  }

  private maxJobsOf(provider: Provider, input: CommandInput): number | undefined {
    const raw = input.fields.maxJobs?.trim();
    if (!raw || !provider.parseMaxJobs) return undefined;
    const parsed = provider.parseMaxJobs(raw);
    if (!parsed.ok) throw badRequest(parsed.error);
    return parsed.value;
  }

  private async insert(
    draft: { tenant: TenantRecord; provider: Provider; command: ProviderCommand; built: BuiltCommand; files: JobFile[]; replyUrl: string | undefined; replyRef: string | undefined; parent: JobRecord | undefined },
    account: AccountRecord,
    limit: number,
    queueLimit: number | undefined,
    tenantLimit: number | undefined,
  ) {
    const { tenant, provider, command, built, parent } = draft;
    const discordMasked = maskToken(this.#o.secrets.decrypt(account.discordToken));
    for (let attempt = 0; ; attempt++) {
      const now = this.#stamp(account.channel, attempt);
      try {
        return await this.#o.store.jobs.insert(
          {
            jobid: newJobId(now, tenant.id, account.channel, provider.name),
            tenantId: tenant.id,
            bot: provider.name,
            verb: `${provider.name}-${command.name}`,
            status: 'created',
            accountId: account.id,
            channel: account.channel,
            server: account.server,
            discordMasked,
            maxJobs: provider.parseMaxJobs ? limit : null,
            request: built.echo,
            // A call without replyUrl uses its account's default, if one is set (useapi allows both).
            replyUrl: draft.replyUrl ?? account.replyUrl ?? null,
            replyRef: draft.replyRef ?? null,
            messageId: null,
            content: null,
            timestamp: null,
            attachments: null,
            embeds: null,
            buttons: null,
            error: null,
            errorDetails: null,
            code: null,
            parentJobId: parent?.jobid ?? null,
            button: parent ? (draft.built.steps[0]?.kind === 'button' ? draft.built.steps[0].button : null) : null,
            onceKey: parent ? (built.oncePerParent ?? null) : null,
            // The plan travels with the row, so any instance (or this one after a restart) can run it.
            runnerState: plannedState(built.steps, account.discordFingerprint),
            createdAt: now,
            // Sending restarts the clock; this bounds a job that waits for a slot or an account.
            deadlineAt: now + command.timeoutMs + (queueLimit ? QUEUE_WAIT_MS : 0),
          },
          draft.files,
          { accountId: account.id, limit, ...(queueLimit ? { queueLimit } : {}), ...(tenantLimit !== undefined ? { tenantLimit } : {}) },
        );
      } catch (error) {
        // Two jobs in the same millisecond on the same channel: take the next millisecond.
        if (error instanceof UniqueViolation && error.field === 'jobid' && attempt < 50) continue;
        // Another child of the parent holds the plan's once-per-parent key (it won a race, or
        // already ran): the database refused this one, whichever process inserted the other.
        if (error instanceof UniqueViolation && error.field === 'once' && parent) {
          throw new OncePerParentConflict(built.oncePerParent ?? '', parent.jobid);
        }
        throw error;
      }
    }
  }

  #stamp(channel: string, attempt: number): number {
    const now = this.#o.now();
    const stamp = Math.max(now, (this.#lastStamp.get(channel) ?? 0) + 1) + attempt;
    if (this.#lastStamp.size > 10_000) for (const [key, at] of this.#lastStamp) if (at < now) this.#lastStamp.delete(key);
    this.#lastStamp.set(channel, stamp);
    return stamp;
  }

  async get(tenantId: string, jobid: string | undefined): Promise<JobRecord> {
    if (jobid === undefined || jobid.trim() === '') throw badRequest('Query param jobid not provided');
    const job = await this.#o.store.jobs.get(tenantId, jobid.trim());
    if (!job) throw new ApiError(404, `Unable to locate job ${jobid.trim()}`);
    return job;
  }

  listActive(tenantId: string, bot: string): Promise<string[]> {
    return this.#o.store.jobs.listActive(tenantId, bot);
  }

  /**
   * Cancels an active job. A job already sent to Discord keeps its channel's slot until the bot
   * has finished with it (the runner or the timeout sweeper releases it), so the next command in
   * that channel never overlaps the cancelled one.
   */
  async cancel(tenantId: string, jobid: string | undefined): Promise<JobRecord> {
    const job = await this.get(tenantId, jobid);
    if (isTerminal(job.status)) throw new ApiError(409, `Job ${job.jobid} has already ended (${job.status})`);
    // Compare-and-set on the status just read: if the runner sent the job meanwhile, decide again
    // (a job that reached Discord must keep its slot).
    const cancelled = await endJob(
      { store: this.#o.store, events: this.#o.events, providers: this.#o.providers, now: this.#o.now },
      job,
      { status: 'cancelled', error: 'Cancelled by the client', code: 200, holdsSlot: job.holdsSlot && job.status !== 'created' },
      [job.status],
    );
    if (!cancelled) return this.cancel(tenantId, jobid); // it changed meanwhile: decide again
    this.#o.wake(cancelled);
    return cancelled;
  }

  /**
   * Makes every blocked caller answer now with the job as it stands (the job itself goes on), so
   * a shutdown does not wait minutes for blocking commands. Later waits return at once.
   */
  stopWaiting(): void {
    this.#stopping = true;
    for (const wake of this.#waiters) wake();
  }

  /**
   * Resolves with the job once `until` holds for it, or with its latest state after `timeoutMs`.
   * Starts from `current` when the caller has the row; rows carried by local change events are
   * used as they are (newest first by `updatedAt`), so only notifications from other instances
   * and the poll read the store.
   */
  async waitFor(jobid: string, until: (job: JobRecord) => boolean, timeoutMs: number, current?: JobRecord): Promise<JobRecord> {
    const deadline = this.#o.now() + timeoutMs;
    let wake: (() => void) | undefined;
    let known = current;
    let stale = current === undefined;
    const poke = (job?: JobRecord) => {
      if (job && job.jobid === jobid && (!known || job.updatedAt >= known.updatedAt)) known = job;
      else if (!job) stale = true;
      wake?.();
    };
    const off = this.#o.events.onChange(jobid, poke);
    const stop = () => poke();
    this.#waiters.add(stop);
    try {
      for (;;) {
        if (stale || !known) {
          stale = false;
          known = await this.#o.store.jobs.getById(jobid);
          if (!known) throw new ApiError(404, `Unable to locate job ${jobid}`);
        }
        const job: JobRecord = known;
        const left = deadline - this.#o.now();
        if (until(job) || left <= 0 || this.#stopping) return job;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            stale = true; // the poll: the store stays the truth
            resolve();
          }, Math.min(left, this.#o.pollIntervalMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      off();
      this.#waiters.delete(stop);
    }
  }
}
