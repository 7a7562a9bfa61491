/**
 * The CDN: stores bytes and serves them at Discord's signed attachment URLs
 * (`/attachments/{channel_id}/{attachment_id}/{filename}?ex=&is=&hm=&`, and
 * `/ephemeral-attachments/{application_id}/…` for slash-command inputs). `ex` is the hex expiry,
 * `is` the hex issue time (both Unix seconds), `hm` an HMAC over path and both times; an expired or
 * tampered URL answers 404 like Discord's CDN does.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pngSize } from './media/png.ts';
import type { ApiAttachment, StoredFile, World } from './state.ts';

export class Cdn {
  /** Set once the server listens (the port is ephemeral). */
  origin = '';
  private readonly secret = randomBytes(32);

  constructor(
    private readonly world: World,
    private readonly ttlMs: number,
  ) {}

  store(kind: StoredFile['kind'], scope: string, filename: string, bytes: Buffer, contentType: string): StoredFile {
    const size = contentType === 'image/png' ? pngSize(bytes) : undefined;
    const file: StoredFile = { id: this.world.ids.next(), kind, scope, filename: safeFilename(filename), contentType, bytes, ...size };
    this.world.files.set(file.id, file);
    return file;
  }

  /** A freshly signed URL for a stored file. */
  url(file: StoredFile, host = this.origin): string {
    const path = `/${file.kind}/${file.scope}/${file.id}/${encodeURIComponent(file.filename)}`;
    const issued = Math.floor(this.world.now() / 1000);
    const is = issued.toString(16);
    const ex = Math.floor((this.world.now() + this.ttlMs) / 1000).toString(16);
    return `${host}${path}?ex=${ex}&is=${is}&hm=${this.mac(path, ex, is)}&`;
  }

  /** The attachment object of a message (or of `data.resolved.attachments`). */
  attachmentJson(file: StoredFile): ApiAttachment {
    const url = this.url(file);
    const dot = file.filename.lastIndexOf('.');
    return {
      id: file.id,
      filename: file.filename,
      title: dot > 0 ? file.filename.slice(0, dot) : file.filename,
      size: file.bytes.length,
      content_type: file.contentType,
      url,
      proxy_url: url.replace(`/${file.kind}/`, `/media/${file.kind}/`),
      ...(file.width !== undefined ? { width: file.width, height: file.height } : {}),
      ...(file.contentType === 'video/mp4' ? { width: 64, height: 64 } : {}),
      ...(file.kind === 'ephemeral-attachments' ? { ephemeral: true } : {}),
      flags: 0,
    };
  }

  /** `POST /attachments/refresh-urls`: re-signs URLs of files that still exist. */
  refresh(urls: string[]): { original: string; refreshed: string }[] {
    return urls.map((original) => {
      const file = this.fileForUrl(original);
      return { original, refreshed: file ? this.url(file) : original };
    });
  }

  register(app: FastifyInstance): void {
    const serve = (kind: StoredFile['kind'], viaMediaProxy: boolean) =>
      app.get<{ Params: { scope: string; id: string; filename: string }; Querystring: Record<string, string> }>(
        `${viaMediaProxy ? '/media' : ''}/${kind}/:scope/:id/:filename`,
        async (request, reply) => {
          const { scope, id, filename } = request.params;
          const file = this.world.files.get(id);
          const path = `/${kind}/${scope}/${id}/${encodeURIComponent(filename)}`;
          const { ex, is, hm } = request.query;
          const valid =
            file && file.kind === kind && file.scope === scope && file.filename === filename &&
            ex && is && hm && this.macMatches(path, ex, is, hm) && parseInt(ex, 16) * 1000 >= this.world.now();
          if (!valid) return reply.code(404).type('text/plain').send('This content is no longer available.');
          return reply.type(file.contentType).header('cache-control', 'public, max-age=31536000').send(file.bytes);
        },
      );
    serve('attachments', false);
    serve('ephemeral-attachments', false);
    serve('attachments', true);
    serve('ephemeral-attachments', true);
  }

  private fileForUrl(url: string): StoredFile | undefined {
    const match = /\/(?:attachments|ephemeral-attachments)\/\d+\/(\d+)\//.exec(url);
    return match ? this.world.files.get(match[1]!) : undefined;
  }

  private mac(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.secret).update(`${path}|${ex}|${is}`).digest('hex');
  }

  private macMatches(path: string, ex: string, is: string, hm: string): boolean {
    const expected = Buffer.from(this.mac(path, ex, is));
    const given = Buffer.from(hm);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** Discord replaces characters outside a safe set with `_` in attachment file names. */
export function safeFilename(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '_').slice(0, 200);
  return cleaned || 'unknown';
}
