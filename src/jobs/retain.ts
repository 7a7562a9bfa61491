/**
 * Result retention: Discord's CDN links expire within about a day, so when enabled the files of a
 * completed job are copied into the store and served by switchboard under a stable, authenticated
 * URL (`/v1/results/<jobid>/<index>`). A retention sweeper drops them (and old jobs) later.
 */
import http from 'node:http';
import https from 'node:https';
import type { DiscordMessage } from '../discord/index.ts';
import { guardedLookup, internalHostReason } from '../webhooks/index.ts';
import type { RetainedResult, Store } from '../store/index.ts';

/** Largest result file kept (GIF/video results are a few MB). */
const MAX_RESULT_BYTES = 50 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** How result downloads are guarded (the callback address policy) and capped per tenant. */
export interface RetentionPolicy {
  /** Lets downloads reach private addresses (SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS; the simulator). */
  allowPrivate?: boolean;
  /** Bytes of retained files a tenant may hold; further results keep only Discord's links. */
  maxTenantBytes?: number;
  tenantId?: string;
}

/** Downloads the message's attachments into the store; returns what was kept (failures are skipped). */
export async function retainResults(store: Store, jobid: string, message: DiscordMessage, now: number, policy: RetentionPolicy = {}): Promise<RetainedResult[]> {
  const kept: RetainedResult[] = [];
  const files = [];
  let budget = policy.maxTenantBytes !== undefined && policy.tenantId !== undefined ? policy.maxTenantBytes - (await store.jobs.resultBytes(policy.tenantId)) : Number.POSITIVE_INFINITY;
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    try {
      const limit = Math.min(MAX_RESULT_BYTES, budget);
      if (limit <= 0) break;
      const downloaded = await download(attachment.url, limit, policy.allowPrivate ?? false);
      if (!downloaded) continue;
      budget -= downloaded.data.length;
      const contentType = attachment.content_type ?? downloaded.contentType ?? 'application/octet-stream';
      files.push({ index, field: String(index), filename: attachment.filename, contentType, data: downloaded.data });
      kept.push({ index, filename: attachment.filename, contentType, size: downloaded.data.length });
    } catch {
      // The job still completes with Discord's own links; only the copy is missing.
    }
  }
  await store.jobs.saveResultFiles(jobid, files, now);
  return kept;
}

/**
 * One GET under the callback address policy: an attachment URL comes from a bot message, so a
 * hostile message must not make us fetch from the operator's network. Refuses bodies over `limit`.
 */
function download(url: string, limit: number, allowPrivate: boolean): Promise<{ data: Buffer; contentType: string | undefined } | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(undefined);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.resolve(undefined);
  if (!allowPrivate && internalHostReason(target)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const client = target.protocol === 'https:' ? https : http;
    const request = client.get(target, { lookup: guardedLookup(allowPrivate), timeout: DOWNLOAD_TIMEOUT_MS }, (response) => {
      if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) {
        response.resume();
        return resolve(undefined);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return request.destroy();
        chunks.push(chunk);
      });
      response.on('end', () => resolve(size > limit ? undefined : { data: Buffer.concat(chunks, size), contentType: response.headers['content-type'] }));
      response.on('error', () => resolve(undefined));
      response.on('close', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
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
