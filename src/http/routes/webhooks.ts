/**
 * switchboard's additions for callbacks: the tenant's signing secret (to verify
 * `X-Switchboard-Signature`) and the delivery log of a job's webhooks.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import type { Store } from '../../store/index.ts';
import { SIGNATURE_HEADER, tenantWebhookSecret } from '../../webhooks/index.ts';
import { tenantOf } from '../authenticate.ts';

export function webhookRoutes(app: FastifyInstance, store: Store, secrets: SecretBox): void {
  app.get('/v1/webhooks/secret', async (request) => ({
    secret: await tenantWebhookSecret(store, secrets, tenantOf(request).id),
    header: SIGNATURE_HEADER,
    algorithm: 'HMAC-SHA256',
    format: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
  }));

  app.get<{ Querystring: { jobid?: string } }>('/v1/webhooks/deliveries', async (request) => {
    const jobid = request.query.jobid?.trim();
    if (!jobid) throw badRequest('Query param jobid not provided');
    const rows = await store.outbox.forJob(tenantOf(request).id, jobid);
    return rows.map((row) => ({
      url: row.url,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'pending' ? new Date(row.nextAttemptAt).toISOString() : undefined,
      deliveredAt: row.deliveredAt ? new Date(row.deliveredAt).toISOString() : undefined,
      lastError: row.lastError ?? undefined,
      deliveries: row.deliveries.map((d) => ({ attempt: d.attempt, at: new Date(d.startedAt).toISOString(), durationMs: d.durationMs, statusCode: d.statusCode, error: d.error ?? undefined })),
    }));
  });
}
