/**
 * The REST API under one version prefix (`/api/v9` or `/api/v10`). Every request except
 * `GET /gateway` passes, in order: raw-token auth (401 code 0) → rate limits (429, violations) →
 * queued faults → the route.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { setRequestUser } from './auth.ts';
import { antiAbuse, captchaRequired, notFound, serverError, unauthorized, verificationRequired, type DiscordHttpError } from './errors.ts';
import { registerUserRoutes } from './users.ts';
import { registerChannelRoutes } from './channels.ts';
import { registerUploadRoutes } from './uploads.ts';
import { registerInteractionRoutes } from './interactions.ts';
import type { RestFault } from '../types.ts';

/** Route template without the version prefix, with the major parameter filled in (Discord's bucket key). */
function bucketOf(request: FastifyRequest): { route: string; bucket: string } {
  const template = (request.routeOptions.url ?? request.url).replace(/^\/api\/v\d+/, '');
  const params = (request.params ?? {}) as Record<string, string>;
  const major = params.channelId ?? params.guildId ?? params.applicationId ?? '';
  return { route: `${request.method} ${template}`, bucket: `${request.method} ${template}#${major}` };
}

export function restPlugin(ctx: SimContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request) => {
      const path = request.url.replace(/^\/api\/v\d+/, '').split('?')[0]!;
      if (path === '/gateway' && request.method === 'GET') return;
      const token = request.headers.authorization;
      const user = token ? ctx.world.usersByToken.get(token) : undefined;
      if (!user || user.revoked) throw unauthorized();
      setRequestUser(request, user);
      const { route, bucket } = bucketOf(request);
      ctx.world.report.requests[route] = (ctx.world.report.requests[route] ?? 0) + 1;
      ctx.fingerprint.rest(user.id, route, request.headers);
      const now = Date.now();
      const limited = ctx.limiter.check(user.id, bucket, now);
      if (limited.violatedDeadline !== undefined) {
        ctx.world.report.rateLimitViolations.push({ userId: user.id, method: request.method, path, at: new Date(now).toISOString(), deadline: new Date(limited.violatedDeadline).toISOString() });
      }
      if (limited.error) throw limited.error;
      // A locked account can read but not act until the required action is done.
      if (user.requiredAction && request.method !== 'GET') throw verificationRequired();
      const fault = ctx.faults.take(user.id, request.method, path);
      if (fault) throw faultError(ctx, fault, user.id, bucket, now);
    });
    registerUserRoutes(app, ctx);
    registerChannelRoutes(app, ctx);
    registerUploadRoutes(app, ctx);
    registerInteractionRoutes(app, ctx);
    app.setNotFoundHandler(async () => {
      throw notFound();
    });
  };
}

function faultError(ctx: SimContext, fault: RestFault, userId: string, bucket: string, now: number): DiscordHttpError {
  switch (fault.kind) {
    case 'rate-limit':
      return ctx.limiter.announce(userId, bucket, fault.retryAfterMs ?? 1000, fault.global ?? false, now);
    case 'server-error':
      return serverError(fault.status ?? 502);
    case 'captcha':
      return captchaRequired(ctx.world.random.hex(8) + '-' + ctx.world.random.hex(4));
    case 'verification-required':
      return verificationRequired();
    case 'anti-abuse':
      return antiAbuse();
    case 'unauthorized':
      return unauthorized();
  }
}
