/**
 * Result retention: Discord's CDN links expire within about a day, so when enabled the files of a
 * completed job are copied into the store and served by switchboard under a stable, authenticated
 * URL (`/v1/results/<jobid>/<index>`). A retention sweeper drops them (and old jobs) later.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { DiscordMessage, FetchResponse } from '../discord/index.ts';
import { internalHostReason, isInternalAddress } from '../webhooks/index.ts';
import type { RetainedResult, Store } from '../store/index.ts';
import { TenantTally } from './tenant-tally.ts';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Largest result file kept (GIF/video results are a few MB). */
const MAX_RESULT_BYTES = 50 * 1024 * 1024;

/** How result downloads are guarded (the callback address policy) and capped per tenant. */
export interface RetentionPolicy {
  /** Lets downloads reach private addresses (SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS; the simulator). */
  allowPrivate?: boolean;
  /** Bytes of retained files a tenant may hold; further results keep only Discord's links. */
  maxTenantBytes?: number;
  tenantId?: string;
  /** Remembers each tenant's retained bytes between jobs (else every job sums them in the store). */
  usage?: RetainedBytes;
}

/**
 * Each tenant's retained bytes, read from the store at most once per `ttlMs` and counted up as
 * this process keeps files, so a completed job does not sum the tenant's whole history. What the
 * sweeper drops, or another instance keeps, is seen at the next read: the cap may be stricter or
 * looser than the store for up to `ttlMs` — it bounds storage, it is not an exact quota.
 */
export class RetainedBytes extends TenantTally {
  constructor(store: Store, ttlMs = 60_000, now: () => number = Date.now) {
    super((tenantId) => store.jobs.resultBytes(tenantId), ttlMs, now);
  }
}

/**
 * Downloads the message's attachments into the store; returns what was kept (failures are skipped).
 * `download` is the account's own (its proxy, its TLS: `DiscordAccountClient.download`), so the
 * CDN sees the same browser and address as everything else the account does. An attachment URL
 * comes from a bot message, so it must pass the callback address policy first (issue 15); the
 * download follows no redirect (one would lead past the check), and a file that redirects keeps
 * only Discord's link.
 */
export async function retainResults(
  store: Store,
  jobid: string,
  message: DiscordMessage,
  now: number,
  download: (url: string) => Promise<FetchResponse> = (url) => fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'error' }),
  policy: RetentionPolicy = {},
): Promise<RetainedResult[]> {
  const kept: RetainedResult[] = [];
  const files = [];
  const { tenantId, maxTenantBytes, usage } = policy;
  const held = async (tenant: string) => (usage ? usage.of(tenant) : store.jobs.resultBytes(tenant));
  let budget = maxTenantBytes !== undefined && tenantId !== undefined ? maxTenantBytes - (await held(tenantId)) : Number.POSITIVE_INFINITY;
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    try {
      const limit = Math.min(MAX_RESULT_BYTES, budget);
      if (limit <= 0) break;
      if (!(await mayFetch(attachment.url, policy.allowPrivate ?? false))) continue;
      const response = await download(attachment.url);
      if (!response.ok) continue;
      const data = await readCapped(response, limit);
      if (!data) continue;
      budget -= data.length;
      const contentType = attachment.content_type ?? response.headers.get('content-type') ?? 'application/octet-stream';
      files.push({ index, field: String(index), filename: attachment.filename, contentType, data });
      kept.push({ index, filename: attachment.filename, contentType, size: data.length });
    } catch {
      // The job still completes with Discord's own links; only the copy is missing.
    }
  }
  await store.jobs.saveResultFiles(jobid, files, now);
  if (tenantId !== undefined) usage?.add(tenantId, sum(kept.map((k) => k.size)));
  return kept;
}

/**
 * The URL passes the address policy: http(s), no internal literal or local name, and every address
 * its name resolves to is public. (The download then resolves again through the account's
 * transport, so a rebinding name could still differ; the check closes every static route.)
 */
async function mayFetch(url: string, allowPrivate: boolean): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  if (allowPrivate) return true;
  if (internalHostReason(target)) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return true;
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    return addresses.length > 0 && addresses.every((a) => !isInternalAddress(a.address));
  } catch {
    return false;
  }
}

/** The body, or undefined once it passes `limit` bytes (leaving the loop cancels the rest). */
async function readCapped(response: FetchResponse, limit: number): Promise<Buffer | undefined> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The URL switchboard serves a retained file under (relative to its own base URL). */
export function resultUrl(jobid: string, index: number): string {
  return `/v1/results/${encodeURIComponent(jobid)}/${index}`;
}

/** Deletes retained files and finished jobs past their retention. A loop with `start()`/`stop()`. */
export class RetentionSweeper {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly policy: { resultDays: number; jobDays: number; intervalMs?: number; now?: () => number },
  ) {}

  start(): void {
    void this.sweep();
    this.#timer = setInterval(() => void this.sweep(), this.policy.intervalMs ?? 10 * 60_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async sweep(): Promise<{ files: number; jobs: number }> {
    const now = (this.policy.now ?? Date.now)();
    const day = 24 * 60 * 60_000;
    try {
      const files = await this.store.jobs.purgeResultFiles(now - this.policy.resultDays * day);
      const jobs = await this.store.jobs.purgeFinished(now - this.policy.jobDays * day);
      return { files, jobs };
    } catch {
      return { files: 0, jobs: 0 }; // the store is down; the next sweep tries again
    }
  }
}
