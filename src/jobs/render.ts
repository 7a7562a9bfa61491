/**
 * A job as useapi shows it (spec §3.1 / §3.2): the same object answers the command call, the
 * `jobs/?jobid=` poll and the webhook. Fields without a value are left out, as useapi does.
 */
import type { Provider } from '../providers/index.ts';
import type { JobRecord } from '../store/index.ts';
import { resultUrl } from './retain.ts';

export function renderJob(job: JobRecord, provider: Pick<Provider, 'renderExtras'> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    jobid: job.jobid,
    verb: job.verb,
    status: job.status,
    created: new Date(job.createdAt).toISOString(),
    updated: new Date(job.updatedAt).toISOString(),
    ...job.request,
    discord: job.discordMasked,
    ...(job.server !== null ? { server: job.server } : {}),
    channel: job.channel,
    ...(provider?.renderExtras(job) ?? {}),
    ...(job.replyUrl !== null ? { replyUrl: job.replyUrl } : {}),
    ...(job.replyRef !== null ? { replyRef: job.replyRef } : {}),
    ...(job.messageId !== null ? { messageId: job.messageId } : {}),
    ...(job.content !== null ? { content: job.content } : {}),
    ...(job.timestamp !== null ? { timestamp: job.timestamp } : {}),
    ...(job.attachments !== null ? { attachments: job.attachments } : {}),
    ...(job.embeds !== null && job.embeds.length > 0 ? { embeds: job.embeds } : {}),
    ...(job.buttons !== null ? { buttons: job.buttons } : {}),
    // Copies kept by switchboard: stable URLs (with your API token) after Discord's links expire.
    ...(job.results !== null ? { results: job.results.map((r) => ({ filename: r.filename, content_type: r.contentType, size: r.size, url: resultUrl(job.jobid, r.index) })) } : {}),
    ...(job.parentJobId !== null ? { parentJobId: job.parentJobId } : {}),
    ...(job.button !== null ? { button: job.button } : {}),
    ...(job.error !== null ? { error: job.error } : {}),
    ...(job.errorDetails !== null ? { errorDetails: job.errorDetails } : {}),
    code: job.code ?? 200,
    // Additive (issue 12): what the bot said that no reply rule understood.
    ...(job.botMessages.length > 0 ? { botMessages: job.botMessages.map((n) => ({ at: new Date(n.at).toISOString(), messageId: n.messageId, text: n.text, attachments: n.attachments, embeds: n.embeds })) } : {}),
    ...extra,
  };
  return body;
}
