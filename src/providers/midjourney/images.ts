/**
 * Fetching the image URLs of `blend` (`blendUrls`, 2–5) and `describe` (`describeUrl`) at
 * submission, as useapi does (A.6, A.7: a URL that "can not be retrieved" is a 400). The bytes are
 * then uploaded to Discord as attachments like any other command's files (C.2).
 *
 * The gateway fetches on an API client's behalf, so the same rule as callbacks applies: http(s)
 * only, no loopback/private address unless the operator allows private targets, a size cap, a
 * timeout, and the bytes must really be an image.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { isInternalAddress } from '../../webhooks/index.ts';
import { isImageType, MAX_UPLOAD_BYTES, sniffMediaType } from '../shared/media.ts';
import type { InputFile, Parsed } from '../types.ts';

export interface FetchOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  maxBytes?: number;
  /** For tests: the fetch to use. */
  fetch?: typeof fetch;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

async function checkTarget(url: URL, allowPrivate: boolean): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point to a loopback or private address';
  const addresses = net.isIP(host) ? [host] : await lookup(host, { all: true }).then((r) => r.map((a) => a.address), () => []);
  if (addresses.length === 0) return 'host cannot be resolved';
  if (addresses.some(isInternalAddress)) return 'must not point to a loopback or private address';
  return undefined;
}

/** Downloads one image URL; the error says why it cannot be used. */
export async function fetchImage(raw: string, field: string, options: FetchOptions): Promise<Parsed<InputFile>> {
  const bad = (why: string): Parsed<InputFile> => ({ ok: false, error: `${field} value not a valid URL or URL which can not be retrieved (${raw}: ${why})` });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad('not a URL');
  }
  const refused = await checkTarget(url, options.allowPrivate);
  if (refused) return bad(refused);
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  try {
    const response = await (options.fetch ?? fetch)(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    if (!response.ok) return bad(`HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) return bad(`larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > maxBytes) return bad(`larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    const data = Buffer.concat(chunks);
    const type = sniffMediaType(data);
    if (!type || !isImageType(type)) return bad('not an image (png, jpeg, gif or webp)');
    return { ok: true, value: { filename: `${field}.${EXTENSIONS[type] ?? 'png'}`, contentType: type, data } };
  } catch (error) {
    return bad(error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'download failed');
  }
}

/** Downloads every URL (in parallel) into files `image1`…`imageN`; the first failure wins. */
export async function fetchImages(urls: readonly string[], field: string, options: FetchOptions): Promise<Parsed<Record<string, InputFile>>> {
  const results = await Promise.all(urls.map((u, i) => fetchImage(u, urls.length > 1 ? `${field}[${i}]` : field, options)));
  const files: Record<string, InputFile> = {};
  for (const [i, r] of results.entries()) {
    if (!r.ok) return r;
    files[`image${i + 1}`] = { ...r.value, filename: r.value.filename.replace(/^[^.]+/, `image${i + 1}`) };
  }
  return { ok: true, value: files };
}
