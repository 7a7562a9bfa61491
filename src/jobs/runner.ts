/**
 * Executes jobs (design principle 3, the execution half). A background loop with
 * `start()`/`stop()`: it looks for runnable rows of the accounts this instance owns — when woken
 * by a submission, and by polling, since the rows are the truth — runs each in the background,
 * ends overdue jobs, and takes over jobs a crashed process left in flight.
 */
import type { AccountPool } from '../accounts/account-pool.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import { isActive, isTerminal, type AccountRecord, type JobRecord, type Store } from '../store/index.ts';
import type { Logger } from '../webhooks/index.ts';
import { endJob, failure, type JobEnding } from './end-job.ts';
import { executeJob, resumeJob, type ExecutionContext } from './execute.ts';
import { quarantineChannel, timeoutError, type BotReplyObserver } from './bot-replies.ts';
import type { JobEvents } from './job-events.ts';
import type { RetentionPolicy } from './retain.ts';
import { runnerStateOf } from './runner-state.ts';
import { PollLoop } from '../shared/poll-loop.ts';

export interface JobRunnerOptions {
  store: Store;
  pool: AccountPool;
  providers: ProviderRegistry;
  events: JobEvents;
  log: Logger;
  /** Accounts whose jobs this instance executes; all by default (one instance). */
  owns?: (accountId: string) => boolean;
  pollIntervalMs?: number;
  now?: () => number;
  /** Keep copies of completed jobs' result files (see `retain.ts`), under a download policy. */
  retainResults?: boolean | RetentionPolicy;
  /** Hears about bot messages kept because no rule understood them (metrics). */
  observer?: BotReplyObserver;
  /** How long a channel is held back after an interaction failure or a timeout. */
  quarantineMs?: number;
}

interface Running {
  job: string;
  closers: (() => void)[];
  done: Promise<void>;
}

export class JobRunner {
  readonly #o: JobRunnerOptions & { now: () => number; pollIntervalMs: number };
  readonly #running = new Map<string, Running>();
  readonly #loop: PollLoop;
  /** Owned accounts by id, re-read at most once per poll interval (or when told they changed). */
  #accounts: { at: number; byId: Map<string, AccountRecord> } | undefined;
  #lastSweep = 0;
  /** Accounts where a job of this runner ended since the last scan: their queues may move. */
  readonly #freed = new Set<string>();
  /** Jobs stored by this process since the last scan, as the insert returned them. */
  #handed: JobRecord[] = [];
  /** Woken without knowing by what (another instance, changed accounts): read the runnable jobs. */
  #look = true;
  /**
   * Accounts that may have queued jobs: those the last sweep counted, and those a submission
   * here queued on since. A freed slot elsewhere is filled from the queue only there, so a job
   * ending on an account without a queue costs no statement. Undefined after a wake from
   * elsewhere (another instance may have queued), until the next sweep counts again.
   */
  #queues: Set<string> | undefined;

  constructor(options: JobRunnerOptions) {
    this.#o = { now: Date.now, pollIntervalMs: 1000, ...options };
    this.#loop = new PollLoop(() => this.#scan(), this.#o.pollIntervalMs, (error) => {
      this.#look = true; // rows handed to the failed scan are found again by reading
      this.#o.log.error({ err: error }, 'job runner scan failed');
    });
  }

  get #ending(): JobEnding {
    return { store: this.#o.store, events: this.#o.events, providers: this.#o.providers, now: this.#o.now };
  }

  start(): void {
    void this.#loop.start();
  }

  /** Stops picking up work and stops following Discord for the jobs in flight; their rows stay as they are, for the next start. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    for (const running of this.#running.values()) for (const close of running.closers) close();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /**
   * Looks for work now rather than at the next poll. With `job` (a row this process just stored
   * or cancelled) the scan starts it without reading the runnable jobs again; without it, the
   * scan reads them.
   */
  wake(job?: JobRecord): void {
    if (job) this.#handed.push(job);
    else {
      this.#look = true;
      this.#queues = undefined;
    }
    this.#loop.kick();
  }

  /** Accounts were added, removed or changed owner: re-read them on the next scan. */
  accountsChanged(): void {
    this.#accounts = undefined;
    this.#loop.kick();
  }

  async #scan(): Promise<void> {
    const { store, now, pollIntervalMs } = this.#o;
    // Submissions and finished jobs wake the runner many times a second under load. A wake only
    // starts jobs that hold a slot and fills slots freed here; deadlines, the account list, other
    // instances' freed slots and jobs left in flight by a dead process are looked at once per
    // poll interval (or at once after the owned accounts changed).
    const sweep = now() - this.#lastSweep >= pollIntervalMs || !this.#accounts;
    if (sweep) {
      this.#lastSweep = now();
      for (const job of await store.jobs.listOverdue(now())) await this.#expire(job);
      const owned = (await store.accounts.listAll()).filter((a) => this.#o.owns?.(a.id) ?? true);
      this.#accounts = { at: now(), byId: new Map(owned.map((a) => [a.id, a])) };
    }
    const accounts = this.#accounts!.byId;
    const ids = [...accounts.keys()];
    // What to look at: everything on a sweep; the runnable jobs after a wake from elsewhere; else
    // only the rows this scan was handed (stored here) and the ones it promotes.
    const look = this.#look;
    this.#look = false;
    const handed = this.#handed;
    this.#handed = [];
    // Queued jobs move into freed slots, oldest first (FIFO per account); a cancel here may have
    // freed one too.
    const freed = new Set([...this.#freed, ...handed.flatMap((j) => (isTerminal(j.status) && !j.holdsSlot && j.accountId ? [j.accountId] : []))]);
    this.#freed.clear();
    if (sweep) this.#queues = new Set((await store.jobs.queuedCounts(ids)).keys());
    for (const job of handed) if (job.queued && job.accountId) this.#queues?.add(job.accountId);
    const queues = this.#queues;
    const promote = sweep ? [...queues!] : [...freed].filter((id) => accounts.has(id) && (!queues || queues.has(id)));
    const promoted: JobRecord[] = [];
    for (const accountId of promote) {
      const account = accounts.get(accountId)!;
      const provider = this.#o.providers.get(account.bot);
      if (provider) promoted.push(...(await store.jobs.promoteQueued(accountId, provider.capacity(account), now())));
    }
    const jobs = sweep
      ? await store.jobs.listActiveForAccounts(ids)
      : look
        ? await store.jobs.listRunnable(ids)
        : [...handed.filter((j) => j.status === 'created' && j.holdsSlot), ...promoted].sort((a, b) => a.createdAt - b.createdAt || (a.jobid < b.jobid ? -1 : 1));
    for (const job of jobs) {
      if (this.#running.has(job.jobid) || this.#loop.stopped) continue;
      const account = accounts.get(job.accountId ?? '');
      if (!account) continue;
      if (job.status === 'created' && job.holdsSlot) this.#run(job, account, 'execute');
      // Sent by a process that is gone: follow it to its end, never send it again.
      else if (job.status === 'started' || job.status === 'progress') this.#run(job, account, 'recover');
    }
  }

  #run(job: JobRecord, cached: AccountRecord, mode: 'execute' | 'recover'): void {
    const found = this.#o.providers.command(job.bot, job.verb);
    const entry: Running = { job: job.jobid, closers: [], done: Promise.resolve() };
    this.#running.set(job.jobid, entry);
    entry.done = (async () => {
      if (!found) {
        await endJob(this.#ending, job, failure(`switchboard does not know the command ${job.verb}`, 422));
        return;
      }
      const account = await this.#accountFor(job, cached);
      if (!account) {
        await endJob(this.#ending, job, failure(`The discord token of channel ${job.channel} was replaced by a later call before this job was sent; run it again`, 409, 'a job runs only with the token its call brought'));
        return;
      }
      const ctx: ExecutionContext = {
        ...this.#ending,
        provider: found.provider,
        account,
        client: this.#o.pool.client(account),
        reportHealth: (accountId, event) => this.#o.pool.health.report(accountId, event),
        register: (close) => entry.closers.push(close),
        retainResults: this.#o.retainResults ?? false,
        log: this.#o.log,
        ...(this.#o.observer ? { observer: this.#o.observer } : {}),
        ...(this.#o.quarantineMs !== undefined ? { quarantineMs: this.#o.quarantineMs } : {}),
      };
      if (mode === 'execute') await executeJob(ctx, job, found.command.timeoutMs);
      else await resumeJob(ctx, job);
    })()
      .catch(async (error) => {
        this.#o.log.error({ err: error, job: job.jobid }, 'job execution failed');
        await endJob(this.#ending, job, failure('switchboard failed while running this job', 422, String(error))).catch(() => undefined);
      })
      .finally(() => {
        this.#running.delete(job.jobid);
        if (job.accountId) this.#freed.add(job.accountId);
        this.#loop.kick(); // a slot may have freed: the scan fills it from the account's queue
      });
  }

  /**
   * The account as the job must use it: with exactly the Discord token the job was submitted
   * with. The cached row may predate a token change (a bring-your-own call refreshed it): then
   * the row is read again; undefined when the token the job needs is gone.
   */
  async #accountFor(job: JobRecord, cached: AccountRecord): Promise<AccountRecord | undefined> {
    const token = runnerStateOf(job).token;
    if (token === undefined || token === cached.discordFingerprint) return cached;
    const fresh = await this.#o.store.accounts.getById(cached.id);
    if (fresh) this.#accounts?.byId.set(fresh.id, fresh);
    return fresh?.discordFingerprint === token ? fresh : undefined;
  }

  /** A job past its deadline: active ones fail, a cancelled one gives its slot back. */
  async #expire(job: JobRecord): Promise<void> {
    const running = this.#running.get(job.jobid);
    if (isActive(job.status)) {
      // What the bot last said (kept messages included) is the most useful part of the error.
      const ended = await endJob(this.#ending, job, failure(timeoutError((await this.#o.store.jobs.getById(job.jobid)) ?? job), 504, `no final answer before ${new Date(job.deadlineAt ?? 0).toISOString()}`));
      // A late answer must not be taken for the next job in this channel.
      const provider = this.#o.providers.get(job.bot);
      const account = ended && provider && job.accountId ? await this.#o.store.accounts.getById(job.accountId) : undefined;
      if (provider && account && (this.#o.owns?.(account.id) ?? true)) {
        await quarantineChannel(
          { store: this.#o.store, provider, account, client: this.#o.pool.client(account), now: this.#o.now, log: this.#o.log, ...(this.#o.observer ? { observer: this.#o.observer } : {}) },
          this.#o.now() + (this.#o.quarantineMs ?? 10 * 60_000),
          'timed out',
        ).catch(() => undefined);
        // (Messages the job already owned stay with it; later ones are recorded by the watch.)
      }
    }
    await this.#o.store.jobs.releaseSlot(job.jobid, this.#o.now());
    for (const close of running?.closers ?? []) close();
  }
}
