/**
 * Submission side of jobs (design principle 3): validate a command, pick an account, claim a
 * capacity slot atomically in the store, and write the job row. Execution belongs to the runner;
 * callers that block simply wait for the row to change.
 */
import crypto from 'node:crypto';
import type { AccountRecord, JobFile, JobRecord, Store, TenantRecord } from '../store/index.ts';
import { invalidId, isSnowflake } from '../providers/shared/account-fields.ts';
import { isTerminal, UniqueViolation } from '../store/index.ts';
import { ApiError, badRequest } from '../errors/index.ts';
import { checkFields, type BuiltCommand, type CommandInput, type Provider, type ProviderCommand } from '../providers/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { checkReplyUrl } from '../webhooks/index.ts';
import { maskToken, newJobId } from './job-id.ts';
import type { JobEvents } from './job-events.ts';
import { renderJob } from './render.ts';
import { quarantined } from './bot-replies.ts';

export interface JobServiceOptions {
  store: Store;
  /** Jobs that may wait per account for a slot (queueable commands); 0 = no queueing. */
  queueLimit: number;
  secrets: SecretBox;
  providers: readonly Provider[];
  events: JobEvents;
  allowPrivateCallbacks: boolean;
  /** Tells the runner there is work (in-process hint; the runner also polls). */
  wake: () => void;
  now?: () => number;
  /** How often a waiting caller re-reads the job even without a notification. */
  pollIntervalMs?: number;
  /** Observers (metrics): a job was accepted; a job ended here (cancelled through the API). */
  onSubmitted?: (job: JobRecord) => void;
  onEnded?: (job: JobRecord) => void;
}

/** Whether the provider lets the account take work now (credits: see the provider's reset rule). */
export function hasCredits(account: AccountRecord, now: number, provider?: Provider): boolean {
  return provider?.eligibility?.(account, now).ok ?? true;
}

/** How long a queued job may wait for a slot before it fails (on top of its own run time). */
const QUEUE_WAIT_MS = 60 * 60_000;

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
  readonly #o: Required<Omit<JobServiceOptions, 'onSubmitted' | 'onEnded'>> & Pick<JobServiceOptions, 'onSubmitted' | 'onEnded'>;
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

  /** The job as API responses show it: a queued job also says how many jobs are ahead of it. */
  async present(job: JobRecord): Promise<Record<string, unknown>> {
    return job.queued ? renderJob(job, this.provider(job.bot), { jobsAhead: await this.#o.store.jobs.queuePosition(job) }) : this.render(job);
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
    const parent = command.selection === 'parent' ? await this.parentOf(tenant, provider, input.fields.jobid) : undefined;
    const built = command.build(input, parent);
    if (!built.ok) throw new ApiError(built.status ?? 400, built.error);
    const maxJobs = this.maxJobsOf(provider, input);

    const candidates = await this.candidates(tenant, provider, command, input, parent, maxJobs);
    const files = Object.entries(checked.value).map(([field, f]) => ({ field, filename: f.filename, contentType: f.mediaType, data: f.data }));
    const draft = { tenant, provider, command, built: built.value, files, replyUrl, replyRef: input.fields.replyRef, parent };
    const executing = new Set<string>();
    // First a free slot anywhere; only then, when queueing is on, a place in a queue.
    const passes = command.queueable && this.#o.queueLimit > 0 ? [undefined, this.#o.queueLimit] : [undefined];
    for (const queueLimit of passes) {
      // Queue where the queue is shortest, so that no account's backlog outlasts the others'.
      const order = queueLimit ? await this.byQueueLength(candidates) : candidates;
      for (const account of order) {
        const limit = maxJobs ?? provider.capacity(account);
        const result = await this.insert(draft, account, limit, queueLimit);
        if (result.ok) {
          this.#o.events.changed(result.job.jobid);
          this.#o.wake();
          this.#o.onSubmitted?.(result.job);
          return result.job;
        }
        result.executing.forEach((id) => executing.add(id));
      }
    }
    const queued = passes.length > 1;
    throw new ApiError(
      429,
      queued
        ? 'Every slot and every queue place is taken; retry later'
        : candidates.length === 1
          ? `Channel ${candidates[0]!.channel} is busy: it runs as many jobs as it may`
          : 'Every eligible channel is busy; retry later or configure more accounts',
      undefined,
      { executingJobs: [...executing] },
    );
  }

  private async byQueueLength(accounts: AccountRecord[]): Promise<AccountRecord[]> {
    const queued = await this.#o.store.jobs.queuedCounts(accounts.map((a) => a.id));
    return [...accounts].sort((a, b) => (queued.get(a.id) ?? 0) - (queued.get(b.id) ?? 0));
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

  /** The accounts a call may use, in the order to try them. */
  private async candidates(tenant: TenantRecord, provider: Provider, command: ProviderCommand, input: CommandInput, parent: JobRecord | undefined, maxJobs: number | undefined): Promise<AccountRecord[]> {
    const channel = parent?.channel ?? (input.fields.channel?.trim() || undefined);
    const discord = provider.bringYourOwnAccount ? input.fields.discord?.trim() || undefined : undefined;
    if (discord !== undefined) return [await this.ownAccount(tenant, provider, channel, discord, maxJobs)];

    const accounts = await this.#o.store.accounts.list(tenant.id, provider.name);
    if (channel !== undefined) {
      const account = accounts.find((a) => a.channel === channel) ?? (parent?.accountId ? await this.#o.store.accounts.getById(parent.accountId) : undefined);
      if (!account) {
        if (accounts.length === 0 && !provider.bringYourOwnAccount) throw new ApiError(404, `Configuration not found. To create configuration use ${provider.name}/account/channel.`);
        throw new ApiError(404, `Channel ${channel} is not configured. To create configuration use ${provider.name}/account/${channel}.`);
      }
      this.assertUsable(account, provider);
      return [account];
    }
    if (accounts.length === 0) {
      throw provider.bringYourOwnAccount
        ? badRequest('Required param discord is missing or empty', `no ${provider.name} account is configured: configure one with ${provider.name}/account/channel, or pass discord and channel`)
        : new ApiError(404, `Configuration not found. To create configuration use ${provider.name}/account/channel.`);
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
    // A channel held back after the bot failed to answer takes no command until its quarantine ends.
    const open = healthy.filter((a) => !quarantined(a, now));
    if (open.length === 0) {
      const held = quarantined(healthy[0]!, now)!;
      throw new ApiError(429, healthy.length === 1 ? held.error : 'Every configured account is held back after the bot failed to answer', healthy.length === 1 ? held.detail : healthy.map((a) => quarantined(a, now)!.error).join('; '));
    }
    const withCredits = open.filter((a) => hasCredits(a, now, provider));
    if (withCredits.length === 0) {
      const reasons = healthy.map((a) => provider.eligibility?.(a, now)).flatMap((e) => (e && !e.ok ? [e.error] : []));
      throw new ApiError(429, 'No configured account has credits left', reasons.join('; ') || undefined);
    }
    return shuffle(withCredits);
  }

  private assertUsable(account: AccountRecord, provider: Provider): void {
    if (account.health.state !== 'active') throw unavailable(account, provider);
    const held = quarantined(account, this.#o.now());
    if (held) throw new ApiError(429, held.error, held.detail);
    const eligible = provider.eligibility?.(account, this.#o.now());
    if (eligible && !eligible.ok) throw new ApiError(429, eligible.error, eligible.detail);
  }

  /** A channel the call brought itself (`discord` + `channel`): tracked as an unlisted account. */
  private async ownAccount(tenant: TenantRecord, provider: Provider, channel: string | undefined, discord: string, maxJobs: number | undefined): Promise<AccountRecord> {
    if (channel === undefined) throw badRequest('Required param channel is missing or empty', 'a call that brings its own discord token must name its channel');
    if (!isSnowflake(channel)) throw badRequest(invalidId(channel));
    const fingerprint = this.#o.secrets.fingerprint(discord);
    let account: AccountRecord;
    try {
      account = await this.#o.store.accounts.ensureUnlisted({
        id: `acc_${crypto.randomBytes(8).toString('hex')}`,
        tenantId: tenant.id,
        bot: provider.name,
        channel,
        server: null,
        discordToken: this.#o.secrets.encrypt(discord),
        discordFingerprint: fingerprint,
        maxJobs: maxJobs ?? null,
        now: this.#o.now(),
      });
    } catch (error) {
      if (error instanceof UniqueViolation && error.field === 'discord') throw badRequest(`Another ${provider.name} channel is configured with the same discord value`);
      throw error;
    }
    if (account.discordFingerprint !== fingerprint) {
      throw badRequest(`Channel ${channel} is configured with another discord token`, `omit discord to use the configured account, or update it with POST ${provider.name}/account/${channel}`);
    }
    this.assertUsable(account, provider);
    return account;
  }

  private async insert(
    draft: { tenant: TenantRecord; provider: Provider; command: ProviderCommand; built: BuiltCommand; files: JobFile[]; replyUrl: string | undefined; replyRef: string | undefined; parent: JobRecord | undefined },
    account: AccountRecord,
    limit: number,
    queueLimit: number | undefined,
  ) {
    const { tenant, provider, command, built, parent } = draft;
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
            maxJobs: provider.parseMaxJobs ? limit : null,
            request: built.echo,
            replyUrl: draft.replyUrl ?? null,
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
            // The plan travels with the row, so any instance (or this one after a restart) can run it.
            runnerState: { steps: built.steps },
            createdAt: now,
            // Sending restarts the clock; this bounds a job that waits for a slot or an account.
            deadlineAt: now + command.timeoutMs + (queueLimit ? QUEUE_WAIT_MS : 0),
          },
          draft.files,
          { accountId: account.id, limit, ...(queueLimit ? { queueLimit } : {}) },
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
    // Compare-and-set on the status just read: if the runner sent the job meanwhile, decide again
    // (a job that reached Discord must keep its slot).
    const cancelled = await this.#o.store.jobs.update(
      job.jobid,
      [job.status],
      { status: 'cancelled', error: 'Cancelled by the client', code: 200, holdsSlot: job.holdsSlot && job.status !== 'created' },
      this.#o.now(),
      job.replyUrl ? { url: job.replyUrl, render: (j) => renderJob(j, provider) } : undefined,
    );
    if (!cancelled) return this.cancel(tenantId, jobid); // it changed meanwhile: decide again
    this.#o.events.changed(job.jobid);
    this.#o.onEnded?.(cancelled);
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
