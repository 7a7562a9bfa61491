/**
 * Answers carry absolute `results[].url`s: completed here, just before serialization, with
 * `SWITCHBOARD_PUBLIC_URL` or else the request's own origin (its Host, and with
 * `SWITCHBOARD_TRUST_PROXY` the proxy's `X-Forwarded-Proto/-Host`).
 */
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
