/** `GET /v1/results/<jobid>/<index>`: a retained result file of one of the tenant's jobs. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/index.ts';
import type { Store } from '../../store/index.ts';
import { tenantOf } from '../authenticate.ts';

export function resultRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Params: { jobid: string; index: string } }>('/v1/results/:jobid/:index', async (request, reply) => {
    const index = Number(request.params.index);
    const file = Number.isInteger(index) && index >= 0 ? await store.jobs.resultFile(tenantOf(request).id, request.params.jobid, index) : undefined;
    if (!file) throw new ApiError(404, `No retained result ${request.params.index} for job ${request.params.jobid}`);
    return reply
      .type(file.contentType)
      .header('content-disposition', `inline; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`)
      .header('cache-control', 'private, max-age=86400')
      .send(file.data);
  });
}
