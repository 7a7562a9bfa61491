/**
 * Wires the simulator together: one Fastify server carries REST (`/api/v9`, `/api/v10`), the
 * upload bucket, the CDN, the control API and (through the `upgrade` event) the Gateway.
 */
import Fastify, { type FastifyError } from 'fastify';
import multipart from '@fastify/multipart';
import { Cdn } from './cdn.ts';
import { FACESWAP_APPLICATION_ID, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_INTERACTION_TIMEOUT_MS } from './constants.ts';
import type { SimContext } from './context.ts';
import { Control } from './control.ts';
import { registerControlRoutes } from './control-http.ts';
import { FaultQueue } from './faults.ts';
import { FingerprintJudge } from './fingerprint.ts';
import { registerWebApp } from './web-app.ts';
import { GatewayServer } from './gateway/server.ts';
import { InteractionEngine } from './interactions.ts';
import { Messages } from './messages.ts';
import { RateLimiter } from './rate-limit.ts';
import { restPlugin } from './rest/index.ts';
import { DiscordHttpError, invalidJson } from './rest/errors.ts';
import { registerUploadTarget } from './rest/uploads.ts';
import { World } from './state.ts';
import { FaceswapBot } from './bots/faceswap.ts';
import { PikaBot } from './bots/pika.ts';
import { MidjourneyBot } from './bots/midjourney.ts';
import { registerMidjourneyControlRoutes } from './bots/midjourney-control.ts';
import type { Simulator, SimulatorOptions } from './types.ts';

const DEFAULTS = {
  seed: undefined as number | undefined,
  heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
  botLatencyMs: 0,
  interactionTimeoutMs: DEFAULT_INTERACTION_TIMEOUT_MS,
  cdnUrlTtlMs: 24 * 60 * 60 * 1000,
  port: 0,
  host: '127.0.0.1',
  rateLimit: { perToken: { limit: 20, windowMs: 1000 }, global: { limit: 50, windowMs: 1000 } },
  pikaConcurrency: 3,
  midjourneyConcurrency: 3,
  faceswapDailyCredits: 50,
  webBuildNumber: 500_000,
} as const satisfies Required<Omit<SimulatorOptions, 'seed'>> & { seed: number | undefined };

/** Starts a simulator listening on `options.host`:`options.port` (default 127.0.0.1:0). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = { ...DEFAULTS, ...options, rateLimit: { ...DEFAULTS.rateLimit, ...options.rateLimit } };
  const world = new World(o.seed, o.faceswapDailyCredits);
  const cdn = new Cdn(world, o.cdnUrlTtlMs);
  const messages = new Messages(world, cdn);
  const engine = new InteractionEngine(world, messages, { botLatencyMs: o.botLatencyMs, timeoutMs: o.interactionTimeoutMs });
  const faceswap = new FaceswapBot(world, cdn);
  const pika = new PikaBot(world, cdn, o.pikaConcurrency);
  engine.addBot(faceswap);
  engine.addBot(pika);
  const midjourney = new MidjourneyBot(world, cdn, messages);
  midjourney.concurrency = o.midjourneyConcurrency;
  engine.addBot(midjourney);
  const fingerprint = new FingerprintJudge(() => world.report);
  const ctx: SimContext = {
    world, cdn, messages, engine, faceswap, pika, midjourney,
    limiter: new RateLimiter(o.rateLimit.perToken, o.rateLimit.global),
    faults: new FaultQueue(),
    fingerprint,
    gateway: new GatewayServer(world, o.heartbeatIntervalMs, fingerprint),
    urls: { base: '', gateway: '' },
  };
  const control = new Control(ctx);

  const app = Fastify({ logger: false, bodyLimit: 25 * 1024 * 1024, forceCloseConnections: true });
  // Discord answers an empty JSON body as {} and broken JSON with 50109.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalidJson(), undefined);
    }
  });
  await app.register(multipart, { limits: { fileSize: 25 * 1024 * 1024, files: 10 } });
  app.setErrorHandler((error: FastifyError | DiscordHttpError, _request, reply) => {
    if (error instanceof DiscordHttpError) return reply.code(error.status).headers(error.headers).send(error.body);
    const status = (error as FastifyError).statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ message: 'Request entity too large', code: 40005 });
    if (status < 500) return reply.code(status).send({ message: error.message, code: 0 });
    process.emitWarning(`simulator: ${error.stack ?? error.message}`);
    return reply.code(500).send({ message: '500: Internal Server Error', code: 0 });
  });
  await app.register(restPlugin(ctx), { prefix: '/api/v9' });
  await app.register(restPlugin(ctx), { prefix: '/api/v10' });
  registerUploadTarget(app, ctx);
  registerWebApp(app, o.webBuildNumber);
  cdn.register(app);
  const info = () => ({ baseUrl: ctx.urls.base, apiUrl: `${ctx.urls.base}/api/v9`, gatewayUrl: ctx.urls.gateway, faceswapApplicationId: FACESWAP_APPLICATION_ID, pikaApplicationId: pika.application.id });
  registerControlRoutes(app, control, info);
  registerMidjourneyControlRoutes(app, control.midjourney);
  app.server.on('upgrade', (request, socket, head) => ctx.gateway.handleUpgrade(request, socket, head));

  await app.listen({ port: o.port, host: o.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  const baseUrl = `http://${host}:${port}`;
  ctx.urls.base = baseUrl;
  ctx.urls.gateway = `ws://${host}:${port}/gateway`;
  cdn.origin = baseUrl;
  ctx.gateway.resumeUrl = `ws://${host}:${port}/gateway/resume`;

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/v9`,
    gatewayUrl: ctx.urls.gateway,
    controlUrl: `${baseUrl}/_simulator`,
    control,
    close() {
      closing ??= (async () => {
        engine.close();
        await ctx.gateway.close();
        await app.close();
      })();
      return closing;
    },
  };
}
