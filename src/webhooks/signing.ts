/**
 * Webhook signatures. Each delivery carries two, made with the tenant's one webhook secret:
 *
 * - switchboard's own: `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 *   "<t>.<raw body>">`, keyed by the secret string as it is shown (`whsec_…`).
 * - Standard Webhooks (https://www.standardwebhooks.com, spec/standard-webhooks.md there):
 *   `webhook-id` (the delivery id, stable across retries: deduplicate on it), `webhook-timestamp`
 *   (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`,
 *   keyed by the bytes the secret encodes (`whsec_<base64>`), so any Standard Webhooks verifier
 *   (the `standardwebhooks` packages, Svix's libraries) accepts it given {@link standardWebhookSecret}.
 *
 * Receivers recompute the HMAC over the raw body, compare in constant time, and reject timestamps
 * far from their clock (replays).
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'x-switchboard-signature';

export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** Reference verifier (what a receiver does); `toleranceSeconds` bounds replays. */
export function verifySignature(secret: string, body: string, header: string | undefined, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !parts.v1) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

/** The key bytes behind a `whsec_…` secret (base64 or base64url after the prefix). */
function standardKey(secret: string): Buffer {
  // Node's base64 decoders accept both alphabets; secrets from newWebhookSecret() are base64url.
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The same secret in the Standard Webhooks form `whsec_<standard base64 of the key bytes>`. */
export function standardWebhookSecret(secret: string): string {
  return `whsec_${standardKey(secret).toString('base64')}`;
}

/** The three Standard Webhooks headers for one attempt of delivery `id`. */
export function standardWebhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const mac = crypto.createHmac('sha256', standardKey(secret)).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${mac}` };
}

/** What a delivery attempt is about: a job's webhook or another event (an account alert). */
export interface SignedDelivery {
  id: string;
  attempt: number;
  jobId: string;
  eventType: string | null;
  body: string;
  timestampSeconds: number;
}

/** Every header an attempt carries: both signatures, the delivery id and attempt, and what it is about. */
export function deliveryHeaders(secret: string, delivery: SignedDelivery): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: signPayload(secret, delivery.body, delivery.timestampSeconds),
    ...standardWebhookHeaders(secret, delivery.id, delivery.timestampSeconds, delivery.body),
    'x-switchboard-delivery': delivery.id,
    'x-switchboard-attempt': String(delivery.attempt),
    ...(delivery.eventType === null ? { 'x-switchboard-job': delivery.jobId } : { 'x-switchboard-event': delivery.eventType }),
  };
}
