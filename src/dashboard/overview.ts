/**
 * What the dashboard shows, as plain JSON for one tenant: accounts per bot with health, credits and
 * slot use; live and recent jobs with their progress; recent failures. Discord tokens never leave
 * the store here (not even masked): the dashboard has no use for them.
 */
import type { Provider } from '../providers/index.ts';
import { ACTIVE_STATUSES, type AccountRecord, type JobRecord, type Store } from '../store/index.ts';
import { stepProgress } from '../jobs/runner-state.ts';

/** Rows per list: enough for a screen, small enough to poll every second or two. */
export const LIVE_JOBS_LIMIT = 100;
export const RECENT_JOBS_LIMIT = 25;
export const RECENT_FAILURES_LIMIT = 10;

const FAILED_STATUSES = ['failed', 'moderated'] as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface AccountView {
  id: string;
  bot: string;
  channel: string;
  server: string | null;
  maxJobs: number | null;
  health: { state: string; reason: string | null; detail: string | null; failures: number; since: string | null; until: string | null; nextProbeAt: string | null };
  credits: { timestamp: string; total?: number; used: number; exhaustedAt?: number } | null;
  /** What the bot last said about the account's state (e.g. a speed mode), as its provider reports it; null until then. */
  reported: { at: string; fields: Record<string, string | number | boolean> } | null;
  slots: { used: number; capacity: number; queued: number };
  /** What differs between the bot's commands and what switchboard sends (null until checked). */
  commandCheck: { checkedAt: string; ok: boolean; problems: string[] } | null;
  /** Recent bot messages no rule understood (or that arrived in a quarantined channel), newest first. */
  botMessages: { at: string; messageId: string; text: string; reason: string; jobid: string | null; attachments: number; embeds: number }[];
  /** The channel is held back until then after the bot failed to answer (null when not). */
  quarantinedUntil: string | null;
}

/** Unclassified bot messages shown per account. */
export const RECENT_BOT_MESSAGES = 5;

export interface JobView {
  jobid: string;
  bot: string;
  verb: string;
  status: string;
  queued: boolean;
  channel: string;
  created: string;
  updated: string;
  finished: string | null;
  /** Interaction steps the job sends, and how many are under way or done (from the runner's state). */
  progress: { step: number; steps: number } | null;
  /** The first result attachment's URL, once there is one. */
  result: string | null;
  error: string | null;
  errorDetails: string | null;
  code: number | null;
}

export interface DashboardOverview {
  tenant: { id: string; name: string };
  generatedAt: string;
  /** `accountPath`: where an account of the bot is configured (`POST <accountPath>/<channel>`). */
  bots: { name: string; accountPath: string; accounts: AccountView[] }[];
  /** Active jobs and the most recent ones, newest first. */
  jobs: JobView[];
  failures: JobView[];
}

export function accountView(account: AccountRecord, provider: Provider | undefined, jobsOnAccount: JobRecord[]): AccountView {
  const { health } = account;
  return {
    id: account.id,
    bot: account.bot,
    channel: account.channel,
    server: account.server,
    maxJobs: account.maxJobs,
    health: {
      state: health.state,
      reason: health.reason,
      detail: health.detail,
      failures: health.failures,
      since: iso(health.since),
      until: iso(health.until),
      nextProbeAt: iso(health.nextProbeAt),
    },
    // An out-of-credits mark the provider's reset rule has already lifted is not shown.
    credits: account.credits && account.credits.exhaustedAt !== undefined && provider && !provider.eligible?.(account, Date.now()) ? (({ exhaustedAt: _lifted, ...rest }) => rest)(account.credits) : account.credits,
    reported: account.reportedStatus ? { at: new Date(account.reportedStatus.at).toISOString(), fields: account.reportedStatus.fields } : null,
    slots: {
      used: jobsOnAccount.filter((j) => j.holdsSlot).length,
      capacity: provider ? provider.capacity(account) : 0,
      queued: jobsOnAccount.filter((j) => j.queued).length,
    },
    commandCheck: account.commandCheck ? { checkedAt: new Date(account.commandCheck.checkedAt).toISOString(), ok: account.commandCheck.ok, problems: account.commandCheck.problems } : null,
    botMessages: account.botMessages
      .slice(-RECENT_BOT_MESSAGES)
      .reverse()
      .map((n) => ({ at: new Date(n.at).toISOString(), messageId: n.messageId, text: n.text, reason: n.reason, jobid: n.jobid ?? null, attachments: n.attachments, embeds: n.embeds })),
    quarantinedUntil: account.quarantineUntil !== null && account.quarantineUntil > Date.now() ? new Date(account.quarantineUntil).toISOString() : null,
  };
}

function resultOf(job: JobRecord): string | null {
  const first = job.attachments?.[0] as { url?: unknown } | undefined;
  return typeof first?.url === 'string' ? first.url : null;
}

export function jobView(job: JobRecord): JobView {
  return {
    jobid: job.jobid,
    bot: job.bot,
    verb: job.verb,
    status: job.status,
    queued: job.queued,
    channel: job.channel,
    created: new Date(job.createdAt).toISOString(),
    updated: new Date(job.updatedAt).toISOString(),
    finished: iso(job.finishedAt),
    progress: stepProgress(job),
    result: resultOf(job),
    error: job.error,
    errorDetails: job.errorDetails,
    code: job.code,
  };
}

export async function dashboardOverview(store: Store, providers: readonly Provider[], tenant: { id: string; name: string }, now = Date.now()): Promise<DashboardOverview> {
  const perBot = await Promise.all(providers.map(async (p) => ({ provider: p, accounts: await store.accounts.list(tenant.id, p.name) })));
  const accountIds = perBot.flatMap((b) => b.accounts.map((a) => a.id));
  const [busy, live, recent, failures] = await Promise.all([
    store.jobs.listActiveForAccounts(accountIds),
    store.jobs.listRecent({ tenantId: tenant.id, statuses: ACTIVE_STATUSES, limit: LIVE_JOBS_LIMIT }),
    store.jobs.listRecent({ tenantId: tenant.id, limit: RECENT_JOBS_LIMIT }),
    store.jobs.listRecent({ tenantId: tenant.id, statuses: FAILED_STATUSES, limit: RECENT_FAILURES_LIMIT }),
  ]);
  const byAccount = new Map<string, JobRecord[]>();
  for (const job of busy) if (job.accountId) byAccount.set(job.accountId, [...(byAccount.get(job.accountId) ?? []), job]);
  const jobs = new Map<string, JobRecord>();
  for (const job of [...live, ...recent]) jobs.set(job.jobid, job);
  return {
    tenant: { id: tenant.id, name: tenant.name },
    generatedAt: new Date(now).toISOString(),
    bots: perBot.map(({ provider, accounts }) => ({ name: provider.name, accountPath: provider.routes?.accountPath ?? `/v1/${provider.name}/account`, accounts: accounts.map((a) => accountView(a, provider, byAccount.get(a.id) ?? [])) })),
    jobs: [...jobs.values()].sort((a, b) => b.createdAt - a.createdAt || b.jobid.localeCompare(a.jobid)).map(jobView),
    failures: failures.map(jobView),
  };
}
