import { DiscordApiError } from './errors.ts';
import type { FetchLike, FetchResponse, RestClient } from './rest/client.ts';

/** A file to attach to a command or message. */
export interface UploadFile {
  /** What the caller called it; only used when {@link field} is absent (see {@link uploadName}). */
  filename: string;
  data: Uint8Array | Blob;
  /** The caller's claim; the bytes decide (see {@link uploadName}). */
  contentType?: string;
  /** The option or form field the file belongs to: the upload is named `<field>.<extension>`. */
  field?: string;
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
  const names = await Promise.all(files.map((f) => uploadName(f)));
  const reserved = await rest.post<ReserveResponse>(
    `/channels/${channelId}/attachments`,
    { files: files.map((f, i) => ({ id: String(i), filename: names[i]!, file_size: byteLength(f.data) })) },
    options.signal,
  );
  const doFetch = options.fetch ?? rest.fetch;
  return Promise.all(
    files.map(async (file, i) => {
      const slot = reserved.attachments.find((a) => String(a.id) === String(i));
      if (!slot) throw new Error(`Discord reserved no upload slot for attachment ${i}`);
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let response: FetchResponse;
      try {
        // No Content-Type: the documented example sends none, and one that contradicted the
        // name would be a tell (real-world.md §1). Raw bytes, so fetch adds none either.
        response = await doFetch(slot.upload_url, {
          method: 'PUT',
          headers: { 'Accept': '*/*', 'Origin': 'https://discord.com', 'Referer': 'https://discord.com/' , 'User-Agent': rest.identity.profile.userAgent },
          body: await rawBytes(file.data),
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
      return { id: String(i), filename: names[i]!, uploaded_filename: slot.upload_filename };
    }),
  );
}

/** Removes an upload that will not be used (`DELETE /attachments/{upload_filename}`). */
export async function deleteUpload(rest: RestClient, uploadedFilename: string): Promise<void> {
  await rest.delete(`/attachments/${uploadedFilename.split('/').map(encodeURIComponent).join('/')}`);
}

/**
 * The name an upload reaches Discord under: `<field>.<extension of the type its bytes are>`, so a
 * part the HTTP client sent as `blob`, with no extension or a wrong one, still arrives named like a
 * file (`image.png`). Bytes of no known type keep the extension of the given name, else `.bin`.
 */
export async function uploadName(file: UploadFile): Promise<string> {
  const head = Buffer.from(await rawBytes(file.data, 16));
  const sniffed = sniffExtension(head);
  const given = /\.([a-z0-9]{1,5})$/i.exec(file.filename)?.[1]?.toLowerCase();
  const base = (file.field ?? file.filename.replace(/\.[^.]*$/, '')).replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '') || 'file';
  return `${base}.${sniffed ?? (given && CONTENT_TYPES[given] ? given : 'bin')}`;
}

const SIGNATURES: Array<[string, (b: Buffer) => boolean]> = [
  ['png', (b) => b.length >= 8 && b.readUInt32BE(0) === 0x89504e47],
  ['jpg', (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['gif', (b) => b.length >= 6 && b.toString('latin1', 0, 4) === 'GIF8'],
  ['webp', (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
  ['mp4', (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && !/^qt/.test(b.toString('latin1', 8, 10))],
  ['mov', (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp'],
  ['webm', (b) => b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3],
];

function sniffExtension(head: Buffer): string | undefined {
  return SIGNATURES.find(([, test]) => test(head))?.[0];
}

async function rawBytes(data: Uint8Array | Blob, limit?: number): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return limit === undefined ? data : data.subarray(0, limit);
  return new Uint8Array(await (limit === undefined ? data : data.slice(0, limit)).arrayBuffer());
}

function byteLength(data: Uint8Array | Blob): number {
  return data instanceof Uint8Array ? data.byteLength : data.size;
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime',
};
