/** A real switchboard HTTP server on 127.0.0.1:0 over a fresh store, for integration tests. */
import type { FastifyInstance } from 'fastify';
import { issueApiToken } from '../../src/auth/index.ts';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import { buildApp } from '../../src/http/index.ts';
import { freshDatabase, type StoreKind } from './stores.ts';

export interface TestServer {
  url: string;
  services: Services;
  app: FastifyInstance;
  /** Creates a tenant and returns its API token. */
  newToken(name?: string): Promise<string>;
  /** fetch against the server with an optional bearer token and JSON body. */
  call(method: string, path: string, options?: { token?: string; json?: unknown; headers?: Record<string, string>; body?: RequestInit['body'] }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(kind: StoreKind = 'sqlite', env: Record<string, string> = {}): Promise<TestServer> {
  const setup = await freshDatabase(kind, { SWITCHBOARD_SECRET: 'test-secret-that-is-long-enough', ...env });
  const services = await openServices(setup.config, setup.schema ? { store: { schema: setup.schema } } : {});
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('server has no address');
  const url = `http://127.0.0.1:${address.port}`;
  let tokens = 0;
  return {
    url,
    services,
    app,
    newToken: async (name = `tenant-${++tokens}`) => (await issueApiToken(services.store, name)).token,
    call: (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body = options.body;
      if (options.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(options.json);
      }
      return fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    close: async () => {
      await app.close();
      await services.close();
      await setup.cleanup();
    },
  };
}
