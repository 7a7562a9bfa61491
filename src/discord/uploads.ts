import { DiscordApiError } from './errors.ts';
import type { FetchLike, RestClient } from './rest/client.ts';

/** A file to attach to a command or message. */
export interface UploadFile {
  filename: string;
  data: Uint8Array | Blob;
  contentType?: string;
}

/** What an interaction or message references after the upload (spec §1.3 step 3). */
export interface UploadedAttachment {
  id: string;
  filename: string;
  uploaded_filename: string;
}

interface ReserveResponse {
  attachments: Array<{ id: string | number; upload_url: string; upload_filename: string }>;
}

/**
 * The cloud-upload flow: reserve slots with `POST /channels/{id}/attachments`, `PUT` the bytes
 * to each `upload_url` **without** the Authorization header (it is a storage bucket, not
 * Discord), and return the references with `uploaded_filename`. Attachment ids are "0", "1", …
 * in the order given.
 */
export async function uploadAttachments(
  rest: RestClient,
  channelId: string,
  files: readonly UploadFile[],
  options: { fetch?: FetchLike; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<UploadedAttachment[]> {
  if (files.length === 0) return [];
  if (files.length > 10) throw new RangeError('Discord accepts at most 10 attachments per message');
  const reserved = await rest.post<ReserveResponse>(
    `/channels/${channelId}/attachments`,
    { files: files.map((f, i) => ({ id: String(i), filename: f.filename, file_size: byteLength(f.data) })) },
    options.signal,
  );
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  return Promise.all(
    files.map(async (file, i) => {
      const slot = reserved.attachments.find((a) => String(a.id) === String(i));
      if (!slot) throw new Error(`Discord reserved no upload slot for attachment ${i}`);
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await doFetch(slot.upload_url, {
          method: 'PUT',
          headers: { 'Content-Type': file.contentType ?? guessContentType(file.filename) },
          body: file.data,
          signal,
        });
      } catch (cause) {
        throw new DiscordApiError({
          kind: 'network', status: 0, code: 0, method: 'PUT', route: '(upload url)',
          discordMessage: 'upload failed', body: undefined, retry: true, cause,
        });
      }
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw new DiscordApiError({
          kind: response.status >= 500 ? 'server_error' : 'bad_request', status: response.status, code: 0,
          method: 'PUT', route: '(upload url)', discordMessage: `upload answered ${response.status}`,
          body: undefined, retry: response.status >= 500,
        });
      }
      return { id: String(i), filename: file.filename, uploaded_filename: slot.upload_filename };
    }),
  );
}

/** Removes an upload that will not be used (`DELETE /attachments/{upload_filename}`). */
export async function deleteUpload(rest: RestClient, uploadedFilename: string): Promise<void> {
  await rest.delete(`/attachments/${uploadedFilename.split('/').map(encodeURIComponent).join('/')}`);
}

function byteLength(data: Uint8Array | Blob): number {
  return data instanceof Uint8Array ? data.byteLength : data.size;
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime',
};

export function guessContentType(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
