/**
 * Result retention: Discord's CDN links expire within about a day, so when enabled the files of a
 * completed job are copied into the store and served by switchboard under a stable, authenticated
 * URL (`/v1/results/<jobid>/<index>`). A retention sweeper drops them (and old jobs) later.
 */
import type { DiscordMessage } from '../discord/index.ts';
import type { RetainedResult, Store } from '../store/index.ts';

/** Largest result file kept (GIF/video results are a few MB). */
const MAX_RESULT_BYTES = 50 * 1024 * 1024;

/**
 * Downloads the message's attachments into the store; returns what was kept (failures are skipped).
 * `download` is the account's own (its proxy, its TLS: `DiscordAccountClient.download`), so the
 * CDN sees the same browser and address as everything else the account does.
 */
export async function retainResults(
  store: Store,
  jobid: string,
  message: DiscordMessage,
  now: number,
  download: (url: string) => Promise<Response> = (url) => fetch(url, { signal: AbortSignal.timeout(30_000) }),
): Promise<RetainedResult[]> {
  const kept: RetainedResult[] = [];
  const files = [];
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    try {
      const response = await download(attachment.url);
      if (!response.ok) continue;
      const data = Buffer.from(await response.arrayBuffer());
      if (data.length > MAX_RESULT_BYTES) continue;
      const contentType = attachment.content_type ?? response.headers.get('content-type') ?? 'application/octet-stream';
      files.push({ index, field: String(index), filename: attachment.filename, contentType, data });
      kept.push({ index, filename: attachment.filename, contentType, size: data.length });
    } catch {
      // The job still completes with Discord's own links; only the copy is missing.
    }
  }
  await store.jobs.saveResultFiles(jobid, files, now);
  return kept;
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
