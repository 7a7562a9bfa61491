/**
 * Decodes a bot-command request into fields and files. useapi's commands take
 * multipart/form-data (files as file parts); a JSON body with text fields is accepted too, and a
 * DELETE may carry either or no body at all.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../errors/index.ts';
import type { CommandInput, InputFile } from '../providers/index.ts';

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

async function readMultipart(request: FastifyRequest): Promise<CommandInput> {
  const fields: Record<string, string> = {};
  const files: Record<string, InputFile> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (files[part.fieldname]) throw badRequest(`Param ${part.fieldname} was given more than once`);
      files[part.fieldname] = { filename: part.filename || part.fieldname, contentType: part.mimetype, data };
    } else {
      if (part.valueTruncated) throw new ApiError(413, `Param ${part.fieldname} is too long (more than ${MAX_FIELD_BYTES} bytes)`);
      if (part.fieldname in fields) throw badRequest(`Param ${part.fieldname} was given more than once`);
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, files };
}
