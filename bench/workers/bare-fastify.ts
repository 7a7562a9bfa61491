/** Worker: the baseline HTTP server — the same framework with one route that sends a fixed body. */
import Fastify, { type FastifyInstance } from 'fastify';
import { serveWorker } from '../support/rpc.ts';

let app: FastifyInstance | undefined;

serveWorker({
  /** One GET route per entry, each sending its fixed body (query strings are ignored). */
  async start(params: { routes: { path: string; body: unknown }[] }) {
    app = Fastify({ logger: false });
    for (const route of params.routes) app.get(route.path, async () => route.body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  },
  usage: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss }),
  async stop() {
    await app?.close();
    app = undefined;
  },
});
