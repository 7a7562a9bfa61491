/**
 * Property-based fuzzing of every route over HTTP (fixed seed, so CI runs the same cases): random
 * methods, paths, query strings, headers and JSON/multipart/garbage bodies never produce a 5xx, and
 * every error is useapi's envelope. bench/fuzz.ts runs the same property far longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/http/index.ts';
import { requestArbitrary, violation } from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SEED = 20261201;

describe('fuzzing every route', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    token = await server.newToken();
  });
  afterAll(() => server.close());

  it('never answers 5xx and always answers errors in the useapi envelope', async () => {
    const routes = routesOf(server.app);
    expect(routes.length).toBeGreaterThan(30);
    await fc.assert(
      fc.asyncProperty(requestArbitrary(routes, token), async (request) => {
        const problem = await violation(server.url, request);
        if (problem) throw new Error(problem);
      }),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  }, 240_000);
});
