/**
 * Presence, length and file checks for command requests, driven by each command's
 * {@link FieldSpec}s, with useapi's message style (`Required param <name> is missing or empty`).
 */
import type { CommandInput, FieldSpec, InputFile, Parsed } from '../types.ts';
import { isImageType, MAX_UPLOAD_BYTES, sniffMediaType } from './media.ts';

export const REPLY_LIMIT = 1024;

/** Fields every command takes (useapi §1.6): callback URL and reference, each ≤1024 characters. */
export const replyFields: FieldSpec[] = [
  { name: 'replyUrl', kind: 'text', maxLength: REPLY_LIMIT, description: 'URL called with the job JSON once the job ends' },
  { name: 'replyRef', kind: 'text', maxLength: REPLY_LIMIT, description: 'your reference, echoed in the job and the callback' },
];

/** A file as the job keeps it: the bytes plus the type they really are. */
export interface CheckedFile extends InputFile {
  mediaType: string;
}

export function checkFields(specs: readonly FieldSpec[], input: CommandInput): Parsed<Record<string, CheckedFile>> {
  const files: Record<string, CheckedFile> = {};
  for (const spec of specs) {
    if (spec.kind === 'text') {
      const value = input.fields[spec.name];
      if (spec.required && (value === undefined || value.trim() === '')) return { ok: false, error: `Required param ${spec.name} is missing or empty` };
      if (value !== undefined && spec.maxLength !== undefined && value.length > spec.maxLength) {
        return { ok: false, error: `${spec.name} is too long (${value.length} characters, at most ${spec.maxLength})` };
      }
      if (input.files[spec.name]) return { ok: false, error: `Param ${spec.name} must be a text field, not a file` };
      continue;
    }
    const file = input.files[spec.name];
    if (!file || file.data.length === 0) {
      if (input.fields[spec.name] !== undefined) return { ok: false, error: `Param ${spec.name} must be a file (multipart/form-data file part)` };
      if (spec.required) return { ok: false, error: `Required param ${spec.name} is missing or empty` };
      continue;
    }
    if (file.data.length > MAX_UPLOAD_BYTES) {
      return { ok: false, status: 413, error: `File ${spec.name} is too large (${file.data.length} bytes, at most ${MAX_UPLOAD_BYTES})` };
    }
    const mediaType = sniffMediaType(file.data);
    const wanted = spec.accept ?? 'image';
    if (!mediaType || (wanted === 'image' && !isImageType(mediaType))) {
      const allowed = wanted === 'image' ? 'an image (png, jpeg, gif or webp)' : 'an image, GIF or video (png, jpeg, gif, webp, mp4 or webm)';
      return { ok: false, error: `Param ${spec.name} must be ${allowed}` };
    }
    files[spec.name] = { ...file, mediaType };
  }
  return { ok: true, value: files };
}
