/**
 * Submission side of jobs (design principle 3): validate a command, pick an account, claim a
 * capacity slot atomically in the store, and write the job row. Execution belongs to the runner;
 * callers that block simply wait for the row to change.
 */
import type { AccountRecord, JobRecord, Store, TenantRecord } from '../store/index.ts';
import { ACTIVE_STATUSES, isTerminal, UniqueViolation } from '../store/index.ts';
import { ApiError, badRequest } from '../errors/index.ts';
import { checkFields, type BuiltCommand, type CommandInput, type Provider, type ProviderCommand } from '../providers/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { checkReplyUrl } from '../webhooks/index.ts';
import { maskToken, newJobId } from './job-id.ts';
import type { JobEvents } from './job-events.ts';
import { renderJob } from './render.ts';

export interface JobServiceOptions {
  store: Store;
  secrets: SecretBox;
  providers: readonly Provider[];
  events: JobEvents;
  allowPrivateCallbacks: boolean;
  /** Tells the runner there is work (in-process hint; the runner also polls). */
  wake: () => void;
  now?: () => number;
  /** How often a waiting caller re-reads the job even without a notification. */
  pollIntervalMs?: number;
}

/** An account's credits are exhausted until the bot's daily reset (00:00 UTC). */
export function hasCredits(account: AccountRecord, now: number): boolean {
  const credits = account.credits;
  if (!credits || credits.used < credits.total) return true;
  const seen = Date.parse(credits.timestamp);
  return Number.isFinite(seen) && new Date(seen).toISOString().slice(0, 10) < new Date(now).toISOString().slice(0, 10);
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function unavailable(account: AccountRecord, provider: Provider): ApiError {
  const { state, reason, detail, until } = account.health;
  const why = [reason, detail].filter(Boolean).join(': ');
  switch (state) {
    case 'auth_failed':
      return new ApiError(596, `Discord rejected the token of channel ${account.channel}; update it with POST ${provider.name}/account/${account.channel}`, why);
    case 'needs_human':
      return new ApiError(596, `The Discord account of channel ${account.channel} needs attention (${reason}) before it can be used`, why);
    default: {
      const error = new ApiError(429, `The Discord account of channel ${account.channel} is ${state.replace('_', ' ')}; retry later`, why);
      return until ? new ApiError(429, error.message, `${why}; until ${new Date(until).toISOString()}`) : error;
    }
  }
}

export class JobService {
  readonly #o: Required<JobServiceOptions>;
  /** Wakes every caller blocked in {@link waitFor} (used at shutdown). */
  readonly #waiters = new Set<() => void>();
  #stopping = false;

  constructor(options: JobServiceOptions) {
    this.#o = { now: Date.now, pollIntervalMs: 500, ...options };
  }

  provider(name: string): Provider {
    const provider = this.#o.providers.find((p) => p.name === name);
    if (!provider) throw new ApiError(404, `Unknown bot ${name}`);
    return provider;
  }

  render(job: JobRecord): Record<string, unknown> {
    return renderJob(job, this.provider(job.bot));
  }

  /** Validates, selects an account, claims its slot and stores the job. Throws ApiError. */
  async submit(tenant: TenantRecord, provider: Provider, command: ProviderCommand, input: CommandInput): Promise<JobRecord> {
    const checked = checkFields(command.fields, input);
    if (!checked.ok) throw new ApiError(checked.status ?? 400, checked.error);
    const replyUrl = input.fields.replyUrl?.trim() || undefined;
    if (replyUrl) {
      const problem = checkReplyUrl(replyUrl, this.#o.allowPrivateCallbacks);
      if (problem) throw badRequest(problem);
    }
    const built = command.build(input);
    if (!built.ok) throw new ApiError(built.status ?? 400, built.error);

    const candidates = await this.candidates(tenant, provider, command, input.fields.channel?.trim() || undefined);
    const files = Object.entries(checked.value).map(([field, f]) => ({ field, filename: f.filename, contentType: f.mediaType, data: f.data }));
    const executing = new Set<string>();
    for (const account of candidates) {
      const result = await this.insert(tenant, provider, command, account, built.value, files, replyUrl, input.fields.replyRef);
      if (result.ok) {
        this.#o.events.changed(result.job.jobid);
        this.#o.wake();
        return result.job;
      }
      result.executing.forEach((id) => executing.add(id));
    }
    throw new ApiError(
      429,
      candidates.length === 1 ? `Channel ${candidates[0]!.channel} is busy with another job` : 'Every eligible channel is busy; retry later or configure more accounts',
      undefined,
      { executingJobs: [...executing] },
    );
  }

  /** The accounts a call may use, in the order to try them. */
  private async candidates(tenant: TenantRecord, provider: Provider, command: ProviderCommand, channel: string | undefined): Promise<AccountRecord[]> {
    const accounts = await this.#o.store.accounts.list(tenant.id, provider.name);
    if (accounts.length === 0) throw new ApiError(404, `Configuration not found. To create configuration use ${provider.name}/account/channel.`);
    if (channel !== undefined) {
      const account = accounts.find((a) => a.channel === channel);
      if (!account) throw new ApiError(404, `Channel ${channel} is not configured. To create configuration use ${provider.name}/account/${channel}.`);
      if (account.health.state !== 'active') throw unavailable(account, provider);
      if (!hasCredits(account, this.#o.now())) throw new ApiError(429, `Channel ${channel} has no credits left until the daily reset`, `used ${account.credits?.used} of ${account.credits?.total}`);
      return [account];
    }
    if (command.selection === 'pinned' && accounts.length > 1) {
      throw new ApiError(400, 'Required param channel is missing or empty', `${accounts.length} ${provider.name} accounts are configured; ${command.name} works on one account's saved identities, so name its channel`);
    }
    const healthy = accounts.filter((a) => a.health.state === 'active');
    if (healthy.length === 0) {
      if (accounts.length === 1) throw unavailable(accounts[0]!, provider);
      throw new ApiError(429, 'No configured account is available right now', accounts.map((a) => `${a.channel}: ${a.health.state}`).join(', '));
    }
    const now = this.#o.now();
    const withCredits = healthy.filter((a) => hasCredits(a, now));
    if (withCredits.length === 0) throw new ApiError(429, 'No configured account has credits left until the daily reset');
    return shuffle(withCredits);
  }

  private async insert(
    tenant: TenantRecord,
    provider: Provider,
    command: ProviderCommand,
    account: AccountRecord,
    built: BuiltCommand,
    files: { field: string; filename: string; contentType: string; data: Buffer }[],
    replyUrl: string | undefined,
    replyRef: string | undefined,
  ) {
    const discordMasked = maskToken(this.#o.secrets.decrypt(account.discordToken));
    for (let attempt = 0; ; attempt++) {
      const now = this.#o.now() + attempt;
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
            maxJobs: account.maxJobs,
            request: built.echo,
            replyUrl: replyUrl ?? null,
            replyRef: replyRef ?? null,
            messageId: null,
            content: null,
            timestamp: null,
            attachments: null,
            embeds: null,
            buttons: null,
            error: null,
            errorDetails: null,
            code: null,
            parentJobId: null,
            button: null,
            // The plan travels with the row, so any instance (or this one after a restart) can run it.
            runnerState: { steps: built.steps },
            createdAt: now,
            // Sending restarts the clock; this bounds a job whose account never comes online.
            deadlineAt: now + command.timeoutMs,
          },
          files,
          { accountId: account.id, limit: provider.capacity(account) },
        );
      } catch (error) {
        // Two jobs in the same millisecond on the same channel: take the next millisecond.
        if (error instanceof UniqueViolation && error.field === 'jobid' && attempt < 50) continue;
        throw error;
      }
    }
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
    const provider = this.provider(job.bot);
    const cancelled = await this.#o.store.jobs.update(
      job.jobid,
      ACTIVE_STATUSES,
      { status: 'cancelled', error: 'Cancelled by the client', code: 200, holdsSlot: job.holdsSlot && job.status !== 'created' },
      this.#o.now(),
      job.replyUrl ? { url: job.replyUrl, render: (j) => renderJob(j, provider) } : undefined,
    );
    if (!cancelled) return this.cancel(tenantId, jobid); // it changed meanwhile: decide again
    this.#o.events.changed(job.jobid);
    this.#o.wake();
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

  /** Resolves with the job once `until` holds for it, or with its latest state after `timeoutMs`. */
  async waitFor(jobid: string, until: (job: JobRecord) => boolean, timeoutMs: number): Promise<JobRecord> {
    const deadline = this.#o.now() + timeoutMs;
    let wake: (() => void) | undefined;
    const poke = () => wake?.();
    const off = this.#o.events.onChange(jobid, poke);
    this.#waiters.add(poke);
    try {
      for (;;) {
        const job = await this.#o.store.jobs.getById(jobid);
        if (!job) throw new ApiError(404, `Unable to locate job ${jobid}`);
        const left = deadline - this.#o.now();
        if (until(job) || left <= 0 || this.#stopping) return job;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, this.#o.pollIntervalMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      off();
      this.#waiters.delete(poke);
    }
  }
}
