/**
 * The cloud-upload flow (spec §1.3): reserve slots with `POST /channels/{id}/attachments`, `PUT`
 * the bytes to the returned `upload_url` (no auth, served by {@link registerUploadTarget}), then
 * reference `upload_filename` from a message or interaction. `DELETE /attachments/{name}` drops an
 * unused upload.
 */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { safeFilename } from '../cdn.ts';
import { requestUser } from './auth.ts';
import { channelFor } from './channels.ts';
import { DiscordHttpError, formError, uploadNotFound } from './errors.ts';

/** Discord's bucket accepts up to 500 MiB; the simulator keeps memory sane. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export function registerUploadRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world } = ctx;

  app.post<{ Params: { channelId: string } }>('/channels/:channelId/attachments', async (request) => {
    const user = requestUser(request);
    const channel = channelFor(ctx, request.params.channelId, user);
    const body = (request.body ?? {}) as { files?: unknown };
    const files = Array.isArray(body.files) ? (body.files as Record<string, unknown>[]) : undefined;
    if (!files || files.length === 0 || files.length > 10) {
      throw formError([{ path: ['files'], code: files && files.length > 10 ? 'BASE_TYPE_MAX_LENGTH' : 'BASE_TYPE_REQUIRED', message: 'Must be between 1 and 10 in length.' }]);
    }
    const attachments = files.map((file, i) => {
      if (typeof file.filename !== 'string' || file.filename === '') {
        throw formError([{ path: ['files', i, 'filename'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
      }
      // Discord does not compare file_size with the bytes later (clients send random sizes).
      if (typeof file.file_size === 'number' && file.file_size > MAX_UPLOAD_BYTES) throw new DiscordHttpError(400, { message: 'Request entity too large', code: 40005 });
      ctx.fingerprint.uploadName(user.id, file.filename);
      const uploadFilename = `${world.random.uuid()}/${safeFilename(file.filename)}`;
      world.uploads.set(uploadFilename, { uploadFilename, filename: file.filename, userId: user.id, channelId: channel.id });
      return {
        id: String(file.id ?? i),
        upload_url: `${ctx.urls.base}/_uploads/${uploadFilename}?upload_id=${world.random.hex(32)}`,
        upload_filename: uploadFilename,
      };
    });
    return { attachments };
  });

  app.delete<{ Params: { uuid: string; filename: string } }>('/attachments/:uuid/:filename', async (request, reply) => {
    const user = requestUser(request);
    const name = `${request.params.uuid}/${request.params.filename}`;
    const upload = world.uploads.get(name);
    if (!upload || upload.userId !== user.id) throw uploadNotFound();
    world.uploads.delete(name);
    return reply.code(204).send();
  });

  app.post('/attachments/refresh-urls', async (request) => {
    requestUser(request);
    const body = (request.body ?? {}) as { attachment_urls?: unknown };
    const urls = Array.isArray(body.attachment_urls) ? body.attachment_urls.filter((u): u is string => typeof u === 'string') : [];
    return { refreshed_urls: ctx.cdn.refresh(urls) };
  });
}

/** The storage bucket: `PUT /_uploads/{uuid}/{filename}` with the raw bytes, no Authorization. */
export function registerUploadTarget(app: FastifyInstance, ctx: SimContext): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
    scope.put<{ Params: { uuid: string; filename: string } }>('/_uploads/:uuid/:filename', async (request, reply) => {
      const upload = ctx.world.uploads.get(`${request.params.uuid}/${request.params.filename}`);
      if (!upload) return reply.code(404).type('application/xml').send('<Error><Code>NoSuchUpload</Code></Error>');
      const body = request.body;
      upload.bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      const type = request.headers['content-type'];
      ctx.fingerprint.uploadPut(upload.userId, upload.filename, type);
      if (type) upload.contentType = type;
      return reply.code(200).send();
    });
  });
}
