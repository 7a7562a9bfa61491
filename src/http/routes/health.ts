import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.ts';

/** `/healthz`: the process answers. `/readyz`: and its store answers too. */
export function healthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'store not reachable');
      return reply.code(503).send({ error: 'Store unreachable', code: 503 });
    }
  });
}
