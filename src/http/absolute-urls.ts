/**
 * Answers carry absolute `results[].url`s: completed here, just before serialization, with
 * `SWITCHBOARD_PUBLIC_URL` or else the request's own origin (its Host, and with
 * `SWITCHBOARD_TRUST_PROXY` the proxy's `X-Forwarded-Proto/-Host`).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { absolutizeResults } from '../shared/absolute-urls.ts';

/** `https://host[:port]` of this request, or the configured public URL. */
export function originOf(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Makes results' URLs absolute in any JSON answer that carries a job (or a list of them). */
export function installAbsoluteResultUrls(app: FastifyInstance, publicUrl: string | undefined): void {
  app.addHook('preSerialization', async (request, _reply, payload) => {
    absolutizeResults(payload, originOf(request, publicUrl));
    return payload;
  });
}

/**
 * `http://<address>:<port>` of a listening server, usable as a base for result URLs in webhooks
 * (sent without a request) — unless it is a wildcard address (`0.0.0.0`, `::`), which names no
 * host a receiver could reach: then webhooks keep paths unless SWITCHBOARD_PUBLIC_URL is set.
 */
export function listenOrigin(address: string | AddressInfo | null): string | undefined {
  if (address === null || typeof address === 'string') return undefined;
  if (address.address === '0.0.0.0' || address.address === '::') return undefined;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
