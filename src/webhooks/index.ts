export { WebhookDispatcher, defaultRetryPolicy, retryDelay, tenantWebhookSecret, type Logger, type RetryPolicy, type WebhookDispatcherOptions } from './dispatcher.ts';
export { SIGNATURE_HEADER, signPayload, verifySignature } from './signing.ts';
export { checkReplyUrl, isInternalAddress } from './target-policy.ts';
