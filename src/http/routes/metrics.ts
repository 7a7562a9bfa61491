/**
 * `GET /metrics` in Prometheus' text format, without a token like `/healthz` (it carries counts
 * and account ids, never channels, tokens or job contents). Also times every request by route.
 */
import type { FastifyInstance } from 'fastify';
import type { SwitchboardMetrics } from '../../metrics/index.ts';

export function metricsRoutes(app: FastifyInstance, metrics: SwitchboardMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids in paths would explode the label space.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.registry.exposition();
  });
}
