/**
 * Decodes a bot-command request into fields and files. useapi's commands take
 * multipart/form-data (files as file parts); a JSON body with text fields is accepted too, and a
 * DELETE may carry either or no body at all.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../errors/index.ts';
import type { CommandInput, InputFile } from '../providers/index.ts';
import { MAX_UPLOAD_BYTES } from '../providers/shared/media.ts';

/** Text fields are short (prompts ≤1500, URLs ≤1024); anything longer than this is refused. */
export const MAX_FIELD_BYTES = 16 * 1024;

export async function readCommandInput(request: FastifyRequest): Promise<CommandInput> {
  if (request.isMultipart()) return readMultipart(request);
  const body = request.body;
  if (body === undefined || body === null) return { fields: {}, files: {} };
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object or multipart/form-data');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw badRequest(`Param ${name} must be a string`);
    fields[name] = String(value);
  }
  return { fields, files: {} };
}

/**
 * Reads the parts one chunk at a time, counting bytes as they arrive: a file over the per-file
 * limit or a request over the per-request limit is refused with 413 as soon as it is seen, so an
 * oversized upload never sits in memory. A body that is not well-formed multipart is a 400.
 */
async function readMultipart(request: FastifyRequest): Promise<CommandInput> {
  const maxBytes = request.routeOptions.bodyLimit ?? MAX_UPLOAD_BYTES;
  const tooLarge = () => new ApiError(413, `Request body is too large (limit ${maxBytes} bytes)`);
  if (!/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(String(request.headers['content-type']))) {
    throw badRequest('Malformed multipart body: the Content-Type header has no boundary');
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const fields: Record<string, string> = {};
  const files: Record<string, InputFile> = {};
  let total = 0;
  try {
    for await (const part of request.parts()) {
      total += Buffer.byteLength(part.fieldname);
      if (part.type === 'file') {
        if (files[part.fieldname]) throw badRequest(`Param ${part.fieldname} was given more than once`);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          size += chunk.length;
          total += chunk.length;
          if (size > MAX_UPLOAD_BYTES) throw fileTooLarge();
          if (total > maxBytes) throw tooLarge();
          chunks.push(chunk);
        }
        if (part.file.truncated) throw fileTooLarge();
        files[part.fieldname] = { filename: part.filename || part.fieldname, contentType: part.mimetype, data: Buffer.concat(chunks, size) };
      } else {
        if (part.valueTruncated) throw new ApiError(413, `Param ${part.fieldname} is too long (more than ${MAX_FIELD_BYTES} bytes)`);
        if (part.fieldname in fields) throw badRequest(`Param ${part.fieldname} was given more than once`);
        fields[part.fieldname] = String(part.value);
        total += Buffer.byteLength(fields[part.fieldname]!);
        if (total > maxBytes) throw tooLarge();
      }
    }
  } catch (error) {
    if (error instanceof ApiError || (error as { statusCode?: number }).statusCode !== undefined) throw error;
    // busboy's own complaints (unexpected end of form, malformed part headers) are the client's.
    throw badRequest('Malformed multipart body', (error as Error).message);
  }
  return { fields, files };
}

function fileTooLarge(): ApiError {
  return new ApiError(413, `An uploaded file is too large (at most ${MAX_UPLOAD_BYTES} bytes per file)`);
}
