/** Worker: the baseline HTTP server — the same framework with one route that sends a fixed body. */
import Fastify, { type FastifyInstance } from 'fastify';
import { serveWorker } from '../support/rpc.ts';

let app: FastifyInstance | undefined;

serveWorker({
  async start(params: { path: string; body: unknown }) {
    app = Fastify({ logger: false });
    app.get(params.path, async () => params.body);
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
