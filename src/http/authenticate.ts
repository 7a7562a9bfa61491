/**
 * Bearer-token authentication for the `/v1` API. It runs before the body is read, so an
 * unauthenticated client learns nothing and costs nothing beyond the header check.
 */
import type { FastifyInstance } from 'fastify';
import { authenticateApiToken, bearerToken } from '../auth/index.ts';
import { ApiError } from '../errors/index.ts';
import type { Store, TenantRecord } from '../store/index.ts';
import { sendError } from './error-handling.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant whose token authenticated this request (set on every `/v1` route). */
    tenant?: TenantRecord;
  }
}

const UNAUTHORIZED = new ApiError(401, 'Unauthorized');

/** Adds the hook to an encapsulated plugin scope: only routes registered inside it are guarded. */
export function requireApiToken(scope: FastifyInstance, store: Store): void {
  scope.decorateRequest('tenant', undefined);
  scope.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const tenant = token ? await authenticateApiToken(store, token) : undefined;
    if (!tenant) return sendError(reply, UNAUTHORIZED);
    request.tenant = tenant;
    request.log.debug({ tenant: tenant.id }, 'authenticated');
  });
}

/** The authenticated tenant; routes behind {@link requireApiToken} always have one. */
export function tenantOf(request: { tenant?: TenantRecord }): TenantRecord {
  if (!request.tenant) throw UNAUTHORIZED;
  return request.tenant;
}
