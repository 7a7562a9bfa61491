/** Helpers shared by the benchmarks that drive switchboard and the simulator in worker processes. */
import { request } from 'undici';
import { startWorker, type Worker } from './rpc.ts';
import { sum, until, wallClock } from './stats.ts';
import type { StoreKind } from './databases.ts';

/** Starts the named workers, runs `fn`, and always stops them (in reverse order). */
export async function withWorkers<T>(names: string[], fn: (workers: Worker[]) => Promise<T>, nodeArgs: string[] = []): Promise<T> {
  const workers: Worker[] = [];
  try {
    for (const name of names) workers.push(await startWorker(name, nodeArgs));
    return await fn(workers);
  } finally {
    for (const w of workers.reverse()) await w.call('stop', undefined, 30_000).catch(() => undefined).finally(() => w.stop());
  }
}

export interface Discord {
  apiUrl: string;
  gatewayUrl: string;
}

/** REST budgets high enough that the simulator's rate limits never decide a throughput run. */
export const UNLIMITED_REST = { perToken: { limit: 1_000_000, windowMs: 1000 }, global: { limit: 1_000_000, windowMs: 1000 } };

export interface Switchboard {
  url: string;
  token: string;
}

export function startSwitchboard(worker: Worker, discord: Discord, kind: StoreKind, options: { env?: Record<string, string>; pacing?: 'default' | 'none' } = {}): Promise<Switchboard> {
  return worker.call<Switchboard>('start', { kind, ...discord, ...options });
}

export interface Submitted {
  /** Answers by HTTP status. */
  status: Record<number, number>;
  firstSentAt: number;
}

/** Sends `post(id)` for every id with at most `concurrency` in flight; returns when all answered. */
async function submitJobs(ids: string[], concurrency: number, post: (id: string) => Promise<number>): Promise<Submitted> {
  const status: Record<number, number> = {};
  let next = 0;
  const firstSentAt = wallClock();
  const lane = async () => {
    while (next < ids.length) {
      const code = await post(ids[next++]!);
      status[code] = (status[code] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { status, firstSentAt };
}

/** One `POST /v1/pika/create` per id (its X-Request-Id). */
export function submitPikaJobs(server: Switchboard, ids: string[], concurrency: number): Promise<Submitted> {
  return submitJobs(ids, concurrency, async (id) => (await postPikaJob(server, id)).code);
}

/** One Midjourney `POST /v2/jobs/imagine` per id. */
export function submitMidjourneyJobs(server: Switchboard, ids: string[], concurrency: number): Promise<Submitted> {
  return submitJobs(ids, concurrency, async (id) => (await postJson(server, '/v2/jobs/imagine', id, { prompt: 'a lighthouse on a cliff at dusk --ar 3:2' })).code);
}

/**
 * The load generator's request: undici's `request`, not `fetch`. The generator shares the
 * machine's two cores with switchboard and the simulator, and `fetch` (WHATWG Headers, Response
 * and streams around the same undici client) cost it about a millisecond of CPU per request —
 * CPU the system under test then did not have, while the raw client it is compared with sends no
 * HTTP request at all.
 */
async function postJson(server: Switchboard, path: string, id: string, json: unknown): Promise<{ code: number; body: Record<string, unknown> }> {
  const response = await request(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify(json),
  });
  const body = (await response.body.json().catch(() => ({}))) as Record<string, unknown>;
  return { code: response.statusCode, body };
}

/** What a throughput run measured once every job has ended: read from the jobs' own timestamps and the simulator's request count. */
export async function completedRun(sb: Worker, sim: Worker, submitted: Submitted, jobs: number): Promise<{ rate: number; completed: number; restPerJob: number; refused: number; rows: JobRow[] }> {
  const rows = (await sb.call<JobRow[]>('jobs')).filter((j) => j.createdAt >= Math.floor(submitted.firstSentAt));
  const completed = rows.filter((j) => j.status === 'completed');
  const last = Math.max(...completed.map((j) => j.finishedAt ?? 0));
  const report = await sim.call<{ requests: Record<string, number> }>('report');
  return { rate: completed.length / ((last - submitted.firstSentAt) / 1000), completed: completed.length, restPerJob: sum(Object.values(report.requests)) / jobs, refused: jobs - (submitted.status[200] ?? 0), rows };
}

/** One generation request; `id` becomes its X-Request-Id. Resolves with the HTTP status and the job id. */
export async function postPikaJob(server: Switchboard, id: string): Promise<{ code: number; jobid: string | undefined }> {
  const { code, body } = await postJson(server, '/v1/pika/create', id, { prompt: 'a horse running on a beach' });
  return { code, jobid: typeof body.jobid === 'string' ? body.jobid : undefined };
}

/**
 * Waits until no job is active (any bot). The rates are computed from the jobs' own timestamps,
 * so the poll interval only decides how soon a run moves on, not what it measures.
 */
export function drained(worker: Worker, timeoutMs: number): Promise<true> {
  return until('every job to end', async () => ((await worker.call<number>('activeJobs')) === 0 ? true : undefined), timeoutMs, 100);
}

export interface JobRow {
  jobid: string;
  status: string;
  accountId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  nonce: string | null;
}
