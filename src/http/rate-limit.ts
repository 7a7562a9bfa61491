/**
 * Per-token request rate limit for the `/v1` API (@fastify/rate-limit, one-minute window, keyed by
 * tenant — never by the raw token). Over the limit: `429` in the useapi envelope with `Retry-After`.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { RateLimitedError } from '../limits/index.ts';

export async function installRateLimit(scope: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await scope.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    // Runs after the token check (registered later in the same scope), so the tenant is known.
    keyGenerator: (request) => request.tenant?.id ?? `ip:${request.ip}`,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`Too many requests for this API token (at most ${context.max} per minute)`, Math.max(1, Math.ceil(context.ttl / 1000)), 'SWITCHBOARD_RATE_LIMIT per minute'),
  });
}
