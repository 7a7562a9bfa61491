/** One HTTP POST of a webhook, with the address policy enforced on the resolved addresses. */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, internalHostReason } from './target-policy.ts';

export interface DeliveryResult {
  statusCode: number | null;
  error: string | null;
}

export function postWebhook(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; connectTimeoutMs?: number; allowPrivate: boolean }): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ statusCode: null, error: 'invalid URL' });
    }
    // Connections to IP literals skip DNS (and so the guarded lookup): check them, and local names, here.
    const refused = options.allowPrivate ? undefined : internalHostReason(target);
    if (refused) return resolve({ statusCode: null, error: `EADDRNOTALLOWED: ${refused}` });
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'switchboard-webhooks/1', ...headers },
        lookup: guardedLookup(options.allowPrivate),
        timeout: options.timeoutMs,
      },
      (response) => {
        // Drain the body: the status is all that matters, but the socket must be freed.
        response.resume();
        response.on('end', () => resolve({ statusCode: response.statusCode ?? null, error: null }));
        response.on('error', (error) => resolve({ statusCode: response.statusCode ?? null, error: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no response within ${options.timeoutMs} ms`)));
    // Short deadlines (issue 15): a receiver that never accepts, or accepts and never answers, is
    // given up on quickly; `timeout` above only measures silence, so a trickling answer needs the cap.
    const connectTimeoutMs = options.connectTimeoutMs ?? options.timeoutMs;
    const connectTimer = setTimeout(() => request.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    const deadline = setTimeout(() => request.destroy(new Error(`no complete response within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.on('close', () => {
      clearTimeout(connectTimer);
      clearTimeout(deadline);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message }));
    request.end(body);
  });
}
