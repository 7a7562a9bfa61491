/**
 * switchboard's additions for callbacks: the tenant's signing secret (to verify
 * `X-Switchboard-Signature` or the Standard Webhooks headers), the delivery log of a job's
 * webhooks, sending a delivery again, and the alert URL account health events go to.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, badRequest } from '../../errors/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import type { DeliveryAttempt, OutboxRecord, Store } from '../../store/index.ts';
import { ACCOUNT_HEALTH_EVENT, checkReplyUrl, SIGNATURE_HEADER, standardWebhookSecret, tenantWebhookSecret } from '../../webhooks/index.ts';
import { tenantOf } from '../authenticate.ts';

export interface WebhookRouteOptions {
  /** SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: the alert URL follows the replyUrl policy. */
  allowPrivate: boolean;
  /** Wakes the dispatcher after a redeliver, so it does not wait for its next poll. */
  kick?: () => void;
}

/** Alert deliveries listed by GET /v1/webhooks/alerts. */
const RECENT_ALERTS = 20;

function deliveryJson(row: OutboxRecord & { deliveries: DeliveryAttempt[] }) {
  return {
    id: row.id,
    ...(row.eventType ? { type: row.eventType } : {}),
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? new Date(row.nextAttemptAt).toISOString() : undefined,
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt).toISOString() : undefined,
    lastError: row.lastError ?? undefined,
    deliveries: row.deliveries.map((d) => ({ attempt: d.attempt, at: new Date(d.startedAt).toISOString(), durationMs: d.durationMs, statusCode: d.statusCode, error: d.error ?? undefined })),
  };
}

export function webhookRoutes(app: FastifyInstance, store: Store, secrets: SecretBox, options: WebhookRouteOptions = { allowPrivate: false }): void {
  app.get('/v1/webhooks/secret', async (request) => {
    const secret = await tenantWebhookSecret(store, secrets, tenantOf(request).id);
    return {
      secret,
      header: SIGNATURE_HEADER,
      algorithm: 'HMAC-SHA256',
      format: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
      // One secret, two spellings: this one is what Standard Webhooks libraries take.
      standardWebhooks: {
        secret: standardWebhookSecret(secret),
        headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
        format: 'webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>"> keyed by the base64-decoded part after whsec_',
      },
    };
  });

  app.get<{ Querystring: { jobid?: string } }>('/v1/webhooks/deliveries', async (request) => {
    const jobid = request.query.jobid?.trim();
    if (!jobid) throw badRequest('Query param jobid not provided');
    const rows = await store.outbox.forJob(tenantOf(request).id, jobid);
    return rows.map(deliveryJson);
  });

  app.post<{ Params: { id: string } }>('/v1/webhooks/deliveries/:id/redeliver', async (request, reply) => {
    const tenant = tenantOf(request).id;
    const result = await store.outbox.redeliver(tenant, request.params.id, Date.now());
    if (result === undefined) throw new ApiError(404, `Unable to locate delivery ${request.params.id}`);
    if (result === 'pending') throw new ApiError(409, `Delivery ${request.params.id} is still pending: it is being retried already`);
    options.kick?.();
    reply.code(202);
    return { id: result.id, ...(result.eventType ? { type: result.eventType } : { jobid: result.jobId }), url: result.url, status: result.status, attempts: result.attempts };
  });

  const alertSettings = async (tenantId: string) => ({
    url: await store.tenants.alertUrl(tenantId),
    deliveries: (await store.outbox.recent(tenantId, ACCOUNT_HEALTH_EVENT, RECENT_ALERTS)).map(deliveryJson),
  });

  app.get('/v1/webhooks/alerts', async (request) => alertSettings(tenantOf(request).id));

  app.post<{ Body: unknown }>('/v1/webhooks/alerts', async (request) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request body must be a JSON object');
    const url = (body as { url?: unknown }).url;
    if (typeof url !== 'string' || url.trim() === '') throw badRequest('Required param url is missing or empty');
    const problem = checkReplyUrl(url.trim(), options.allowPrivate);
    if (problem) throw badRequest(problem.replace(/^replyUrl/, 'url'));
    const tenant = tenantOf(request).id;
    await store.tenants.setAlertUrl(tenant, url.trim());
    return alertSettings(tenant);
  });

  app.delete('/v1/webhooks/alerts', async (request, reply) => {
    await store.tenants.setAlertUrl(tenantOf(request).id, null);
    reply.code(204);
  });
}
