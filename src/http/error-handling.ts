/**
 * The one place where failures become HTTP responses in useapi's envelope. Client mistakes keep
 * their 4xx status with a readable message; anything unexpected is logged and answered 500
 * without internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/index.ts';
import { MAX_UPLOAD_BYTES } from '../providers/shared/media.ts';

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  // RFC 9110 §10.2.3: delay-seconds, so clients need no clock agreement.
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody());
}

/** Fastify's own 4xx errors, reworded for API clients. */
function clientError(error: FastifyError, bodyLimit: number): ApiError | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, `Request body is too large (limit ${bodyLimit} bytes)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'Unsupported Content-Type', error.message);
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError(413, `An uploaded file is too large (at most ${MAX_UPLOAD_BYTES} bytes per file)`);
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new ApiError(413, 'Too many parts in the multipart body', error.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'Content-Length does not match the request body');
    default:
      if (error instanceof SyntaxError || /JSON/i.test(error.message)) return new ApiError(400, 'Malformed JSON body', error.message);
      return new ApiError(status, error.message);
  }
}

const routeTables = new WeakMap<FastifyInstance, { method: string; url: string; pattern: RegExp }[]>();

/** Every route of the app as registered (method and URL pattern): the OpenAPI test checks them all. */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return routeTables.get(app) ?? [];
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  // Route patterns seen so far, to tell "unknown path" (404) from "wrong method" (405).
  const routes: { method: string; url: string; pattern: RegExp }[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(`^${route.url.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`);
    for (const method of methods) routes.push({ method, url: route.url, pattern });
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) return sendError(reply, error);
    const known = clientError(error, bodyLimit);
    if (known) return sendError(reply, known);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new ApiError(500, 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, new ApiError(405, `Method ${request.method} is not allowed for ${path}`, `Allowed: ${allowed.join(', ')}`));
    }
    return sendError(reply, new ApiError(404, `Route ${request.method} ${path} not found`));
  });
}
