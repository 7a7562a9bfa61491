/**
 * `GET /v1/<bot>/jobs` (executing job ids), `GET /v1/<bot>/jobs/?jobid=` (one job) and
 * `GET /v1/<bot>/jobs/cancel/?jobid=` — useapi A16–A18 and B10, B12, B13.
 */
import type { FastifyInstance } from 'fastify';
import type { JobService } from '../../jobs/index.ts';
import type { Provider } from '../../providers/index.ts';
import { ApiError } from '../../errors/index.ts';
import { tenantOf } from '../authenticate.ts';

type JobQuery = { Querystring: { jobid?: string } };

export function jobRoutes(app: FastifyInstance, providers: readonly Provider[], jobs: JobService): void {
  for (const provider of providers) {
    const base = `/v1/${provider.name}/jobs`;

    app.get<JobQuery>(base, async (request) => {
      const tenant = tenantOf(request);
      if (request.query.jobid === undefined) return jobs.listActive(tenant.id, provider.name);
      const job = await jobs.get(tenant.id, request.query.jobid);
      if (job.bot !== provider.name) throw new ApiError(404, `Unable to locate job ${job.jobid}`);
      return jobs.present(job);
    });

    app.get<JobQuery>(`${base}/cancel`, async (request) => {
      const tenant = tenantOf(request);
      const job = await jobs.get(tenant.id, request.query.jobid);
      if (job.bot !== provider.name) throw new ApiError(404, `Unable to locate job ${job.jobid}`);
      const cancelled = await jobs.cancel(tenant.id, job.jobid);
      return { jobid: cancelled.jobid, status: cancelled.status, code: 200 };
    });
  }
}
