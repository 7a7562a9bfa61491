/**
 * `GET /metrics` in Prometheus' text format. Without `SWITCHBOARD_METRICS_TOKEN` it needs no
 * token, like `/healthz`, and shows counts and opaque account labels only — never account or
 * channel ids, tokens or job contents. With it, it requires `Authorization: Bearer <token>` and
 * labels accounts with their real ids. Also times every request by route.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/index.ts';
import type { SwitchboardMetrics } from '../../metrics/index.ts';

function sameToken(given: string, expected: string): boolean {
  // Compare digests: constant time whatever the lengths.
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}

export function metricsRoutes(app: FastifyInstance, metrics: SwitchboardMetrics, token?: string): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids in paths would explode the label space.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = /^Bearer (.+)$/i.exec(header)?.[1]?.trim() ?? '';
      if (!sameToken(given, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new ApiError(401, 'Unauthorized', '/metrics requires the token set in SWITCHBOARD_METRICS_TOKEN');
      }
    }
    reply.type(metrics.contentType);
    return metrics.exposition();
  });
}
