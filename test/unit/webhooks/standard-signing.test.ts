/** Standard Webhooks signing agrees with the reference library, for secrets in either base64 alphabet. */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliveryHeaders, standardWebhookHeaders, standardWebhookSecret } from '../../../src/webhooks/index.ts';

describe('Standard Webhooks signatures', () => {
  // newWebhookSecret() writes base64url; this one has both '-' and '_' in it.
  const secret = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i * 3)).toString('base64url')}`;
  const body = '{"jobid":"job:1","status":"completed"}';

  it('signs exactly as the standardwebhooks package does with the published secret', () => {
    const published = standardWebhookSecret(secret);
    expect(published).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const at = new Date(1_764_620_000_000);
    const ours = standardWebhookHeaders(secret, 'whk_abc', at.getTime() / 1000, body);
    expect(ours['webhook-signature']).toBe(new Webhook(published).sign('whk_abc', at, body));
    expect(ours).toMatchObject({ 'webhook-id': 'whk_abc', 'webhook-timestamp': String(at.getTime() / 1000) });
  });

  it('names the job of a job webhook and the event type of other events', () => {
    const job = deliveryHeaders(secret, { id: 'whk_1', attempt: 2, jobId: 'job:1', eventType: null, body, timestampSeconds: 1 });
    expect(job).toMatchObject({ 'x-switchboard-job': 'job:1', 'x-switchboard-attempt': '2', 'x-switchboard-delivery': 'whk_1', 'webhook-id': 'whk_1' });
    expect(job['x-switchboard-event']).toBeUndefined();
    const alert = deliveryHeaders(secret, { id: 'whk_2', attempt: 1, jobId: '', eventType: 'account.health_changed', body, timestampSeconds: 1 });
    expect(alert).toMatchObject({ 'x-switchboard-event': 'account.health_changed' });
    expect(alert['x-switchboard-job']).toBeUndefined();
  });
});
