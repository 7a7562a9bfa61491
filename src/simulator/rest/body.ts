/**
 * Request bodies: JSON, or multipart with `payload_json` plus `files[n]` parts (how Discord takes
 * inline uploads on `POST /interactions` and `POST /channels/{id}/messages`).
 */
import type { FastifyRequest } from 'fastify';
import { formError, invalidJson } from './errors.ts';

export interface InlineFile {
  index: number;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface Payload {
  json: Record<string, unknown>;
  files: Map<number, InlineFile>;
}

export async function readPayload(request: FastifyRequest): Promise<Payload> {
  const files = new Map<number, InlineFile>();
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === undefined || body === null) return { json: {}, files };
    if (typeof body !== 'object' || Array.isArray(body)) throw formError([{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }]);
    return { json: body as Record<string, unknown>, files };
  }
  let json: Record<string, unknown> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const match = /^files\[(\d+)\]$/.exec(part.fieldname) ?? /^file(\d*)$/.exec(part.fieldname);
      const bytes = await part.toBuffer();
      if (!match) continue;
      const index = Number(match[1] || 0);
      files.set(index, { index, filename: part.filename || `file${index}`, contentType: part.mimetype || 'application/octet-stream', bytes });
    } else if (part.fieldname === 'payload_json') {
      try {
        const parsed: unknown = JSON.parse(String(part.value));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
        else throw new Error('not an object');
      } catch {
        throw invalidJson();
      }
    }
  }
  return { json, files };
}

/** Guesses a content type from a file name (uploads rarely say). */
export function contentTypeFor(filename: string, given?: string): string {
  if (given && given !== 'application/octet-stream') return given.split(';')[0]!.trim();
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const known: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', txt: 'text/plain' };
  return known[ext] ?? 'application/octet-stream';
}
