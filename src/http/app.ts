/**
 * `buildApp(services)`: the whole HTTP surface as a Fastify instance that is not yet listening.
 * Tests call it with their own services; `switchboard serve` calls it with the real ones.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/index.ts';
import type { Config } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { ApiError, badRequest } from '../errors/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Store } from '../store/index.ts';
import { requireApiToken, tenantOf } from './authenticate.ts';
import { installErrorHandling, sendError } from './error-handling.ts';
import { installRequestLimits, serverTimeoutOptions, type ConnectionLimits } from './limits.ts';
import { installRateLimit } from './rate-limit.ts';
import type { DiscordBudget } from '../limits/index.ts';
import multipart from '@fastify/multipart';
import type { JobService } from '../jobs/index.ts';
import { MAX_UPLOAD_BYTES } from '../providers/shared/media.ts';
import { MAX_FIELD_BYTES } from './command-input.ts';
import { accountRoutes } from './routes/accounts.ts';
import { commandRoutes } from './routes/commands.ts';
import { jobRoutes } from './routes/jobs.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { installAbsoluteResultUrls, listenOrigin } from './absolute-urls.ts';
import { resultRoutes } from './routes/results.ts';
import type { SecretBox } from '../secrets/index.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { docsRoutes } from './routes/docs.ts';
import type { SwitchboardMetrics } from '../metrics/index.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import type { AccountPool } from '../accounts/index.ts';

export interface AppServices {
  config: Pick<Config, 'bodyLimit' | 'logLevel' | 'rateLimit'> & ConnectionLimits & Partial<Pick<Config, 'allowPrivateCallbacks' | 'metricsToken' | 'publicUrl' | 'trustProxy'>>;
  /** The stricter budget for calls that reach Discord for the caller (bring-your-own tokens). */
  discordBudget?: Pick<DiscordBudget, 'spend'>;
  log: Logger;
  store: Store;
  accounts: AccountService;
  jobs: JobService;
  secrets: SecretBox;
  providers: ProviderRegistry;
  /** Lets the dashboard re-probe accounts; optional so apps without Discord clients still build. */
  pool?: Pick<AccountPool, 'client' | 'health' | 'refresh'>;
  /** Which accounts this instance serves (several instances on one PostgreSQL); all when absent. */
  leases?: { owns(accountId: string): boolean };
  /** Told where the server listens once it does (result URLs in webhooks). */
  listening?: (origin: string) => void;
  /** Woken after a redeliver so the delivery goes out now. */
  webhooks?: { kick(): void };
  /** Exposed at `/metrics` and fed with HTTP latencies when present. */
  metrics?: SwitchboardMetrics;
}

/** The running version, as package.json says. */
const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A caller's `X-Request-Id` is reused when it is harmless, so logs join up across services. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\w.:-]{1,64}$/.test(header) ? header : crypto.randomUUID();
}

export interface BuildOptions {
  /** Where JSON log lines go (default stdout); tests capture them to prove nothing leaks. */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp(services: AppServices, options: BuildOptions = {}): Promise<FastifyInstance> {
  const log = options.logStream ? createLogger(services.config.logLevel, options.logStream) : services.log;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimit,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    trustProxy: services.config.trustProxy ?? false,
    // useapi's own paths end in a slash (`jobs/?jobid=`); accept both spellings everywhere.
    routerOptions: { ignoreTrailingSlash: true },
    ...serverTimeoutOptions(services.config),
    // Errors the router raises before any route runs (malformed URL, over-long path parameter).
    frameworkErrors: (error, _request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void sendError(reply, new ApiError(status, status === 414 ? 'A path parameter is too long' : 'Malformed URL'));
    },
  });
  installErrorHandling(app, services.config.bodyLimit);
  installAbsoluteResultUrls(app, services.config.publicUrl);
  app.addHook('onListen', async () => {
    const origin = listenOrigin(app.server.address());
    if (origin && services.listening) services.listening(origin);
  });
  installRequestLimits(app, services.config);
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

  // Limits sit one byte above the documented maxima so an oversized part is seen, then refused
  // with a clear 413 rather than silently cut.
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 10, fields: 30, fieldSize: MAX_FIELD_BYTES, parts: 40 } });

  healthRoutes(app, services.store);
  if (services.metrics) metricsRoutes(app, services.metrics, services.config.metricsToken);
  docsRoutes(app, services.providers.all, VERSION);
  await app.register(async (v1) => {
    requireApiToken(v1, services.store);
    await installRateLimit(v1, services.config.rateLimit);
    // A bot whose compatible API has its own paths (not /v1/<bot>/…) serves its own routes.
    const generic = services.providers.all.filter((p) => !p.routes);
    accountRoutes(v1, generic, services.accounts);
    commandRoutes(v1, generic, services.jobs, services.discordBudget);
    jobRoutes(v1, generic, services.jobs);
    for (const provider of services.providers.all) {
      provider.routes?.register(v1, {
        store: services.store,
        accounts: services.accounts,
        jobs: services.jobs,
        tenant: tenantOf,
        allowPrivateTargets: services.config.allowPrivateCallbacks ?? false,
        accountChanged: (account) => services.pool?.refresh(account),
      });
    }
    webhookRoutes(v1, services.store, services.secrets, {
      allowPrivate: services.config.allowPrivateCallbacks ?? false,
      ...(services.webhooks ? { kick: () => services.webhooks!.kick() } : {}),
    });
    resultRoutes(v1, services.store);
  });
  await dashboardRoutes(app, services);
  return app;
}
