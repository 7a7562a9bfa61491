export { WebhookDispatcher, defaultRetryPolicy, retryDelay, tenantWebhookSecret, type Logger, type RetryPolicy, type WebhookDispatcherOptions } from './dispatcher.ts';
export { deliveryHeaders, SIGNATURE_HEADER, signPayload, standardWebhookHeaders, standardWebhookSecret, verifySignature } from './signing.ts';
export { checkReplyUrl, guardedLookup, internalHostReason, isInternalAddress, isLocalName } from './target-policy.ts';
export { AccountAlerts, ACCOUNT_HEALTH_EVENT, type AccountHealthEvent } from './alerts.ts';
