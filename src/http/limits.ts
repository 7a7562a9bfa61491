/**
 * Every request answered, none held forever: connection timeouts and cap, the treatment of a body
 * left unread when an error is answered early, and the query-string and header shapes the routes
 * rely on. Values come from the config (README "Limits and timeouts").
 */
import type { IncomingMessage, ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { ApiError } from '../errors/index.ts';

export type ConnectionLimits = Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'maxConnections'>;

/**
 * Fastify/Node server options for the timeouts. Node checks header and request deadlines on a
 * timer (`connectionsCheckingInterval`, 30 s by default); a shorter interval makes the documented
 * values the real ones. Node refuses a headers timeout above the request timeout, so it is capped.
 */
export function serverTimeoutOptions(limits: ConnectionLimits): { connectionTimeout: number; requestTimeout: number; http: ServerOptions } {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: { headersTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))) },
  };
}

/**
 * Reads and throws away what is left of a request body before its error is answered. Node's
 * server stops reading a keep-alive request once its response is sent, and answering then closing
 * leaves unread bytes that make the kernel reset the connection: either way a client still sending
 * (Node's fetch, Python requests) sees a hang or a reset instead of our 413. Discarding keeps
 * memory flat; the request timeout bounds the time a client can keep us reading.
 */
export function discardUnreadBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed || raw.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    raw.on('end', done);
    raw.on('close', done);
    raw.on('error', done);
    raw.unpipe();
    raw.resume();
  });
}

/** Installs the connection cap and the early-answer discard, and the query/header shape checks. */
export function installRequestLimits(app: FastifyInstance, limits: ConnectionLimits): void {
  app.server.maxConnections = limits.maxConnections;

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) await discardUnreadBody(request.raw);
    return payload;
  });

  app.addHook('onRequest', async (request) => {
    // Node keeps only the first of repeated Authorization headers; which one a proxy or client
    // meant is unknowable, so the request is refused rather than silently authenticated.
    const raw = request.raw.rawHeaders;
    let authorizations = 0;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') authorizations++;
    if (authorizations > 1) throw new ApiError(400, 'The Authorization header was given more than once');
  });

  // Query parameters are single strings everywhere in the API: `?jobid=a&jobid=b` is a mistake.
  app.addHook('preValidation', async (request) => {
    const query = request.query;
    if (!query || typeof query !== 'object') return;
    for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new ApiError(400, `Query parameter ${name} must be given once, as a single value`);
    }
  });
}

/**
 * A blocking command answers after its job ends (minutes); the idle timeout must not cut the
 * connection meanwhile. Returns the function that restores the usual idle timeout.
 */
export function holdConnectionOpen(raw: IncomingMessage, waitMs: number, idleTimeoutMs: number): () => void {
  const socket = raw.socket;
  if (!socket || socket.destroyed) return () => {};
  socket.setTimeout(waitMs + idleTimeoutMs);
  return () => {
    if (!socket.destroyed) socket.setTimeout(idleTimeoutMs);
  };
}
