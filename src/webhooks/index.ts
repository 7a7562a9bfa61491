export { WebhookDispatcher, defaultRetryPolicy, retryDelay, tenantWebhookSecret, type Logger, type RetryPolicy, type WebhookDispatcherOptions } from './dispatcher.ts';
export { SIGNATURE_HEADER, signPayload, verifySignature } from './signing.ts';
export { checkReplyUrl, guardedLookup, internalHostReason, isInternalAddress, isLocalName } from './target-policy.ts';
