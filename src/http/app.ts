/**
 * `buildApp(services)`: the whole HTTP surface as a Fastify instance that is not yet listening.
 * Tests call it with their own services; `switchboard serve` calls it with the real ones.
 */
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AccountService } from '../accounts/index.ts';
import type { Config } from '../config/index.ts';
import { badRequest } from '../errors/index.ts';
import type { Provider } from '../providers/index.ts';
import type { Store } from '../store/index.ts';
import { requireApiToken } from './authenticate.ts';
import { installErrorHandling } from './error-handling.ts';
import { accountRoutes } from './routes/accounts.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppServices {
  config: Pick<Config, 'bodyLimit' | 'logLevel'>;
  store: Store;
  accounts: AccountService;
  providers: readonly Provider[];
}

/** Headers and fields that may carry secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.discord', '*.token'];

export function loggerOptions(level: Config['logLevel'], stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...(stream ? { stream } : {}) };
}

/** A caller's `X-Request-Id` is reused when it is harmless, so logs join up across services. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\w.:-]{1,64}$/.test(header) ? header : crypto.randomUUID();
}

export interface BuildOptions {
  /** Where JSON log lines go (default stdout); tests capture them to prove nothing leaks. */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp(services: AppServices, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(services.config.logLevel, options.logStream),
    bodyLimit: services.config.bodyLimit,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    // useapi's own paths end in a slash (`jobs/?jobid=`); accept both spellings everywhere.
    routerOptions: { ignoreTrailingSlash: true },
  });
  installErrorHandling(app, services.config.bodyLimit);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // The API speaks JSON and (for bot commands) multipart; plain text is refused with 415.
  app.removeContentTypeParser('text/plain');
  // Empty JSON bodies (clients that always send Content-Type) are "no body", not an error.
  const parseJson = app.getDefaultJsonParser('error', 'remove');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => (error ? done(badRequest('Malformed JSON body', error.message)) : done(null, value)));
  });

  healthRoutes(app, services.store);
  await app.register(async (v1) => {
    requireApiToken(v1, services.store);
    accountRoutes(v1, services.providers, services.accounts);
  });
  return app;
}
