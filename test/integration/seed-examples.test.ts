/**
 * The three examples of the seed documents (curl, JavaScript fetch, Python requests), pointed at
 * a local server, get exactly the seed response shapes — and the seed's 401 body with a bad token.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const PYTHON = process.env.SEED_PYTHON ?? 'python3';

const pythonHasRequests = await run(PYTHON, ['-c', 'import requests']).then(
  () => true,
  () => false,
);
if (!pythonHasRequests) {
  if (process.env.CI) throw new Error(`${PYTHON} cannot import requests; .ci/run installs python3-requests`);
  console.warn(`[tests] skipping the Python seed example: ${PYTHON} has no 'requests' module`);
}

/** The seeds' examples with only the base URL and the token changed. */
const examples: Record<string, (apiUrl: string, token: string) => Promise<{ status: number; body: unknown }>> = {
  async curl(apiUrl, token) {
    const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', apiUrl, '-H', 'Accept: application/json', '-H', `Authorization: Bearer ${token}`]);
    const lines = stdout.split('\n');
    const status = Number(lines.pop());
    return { status, body: JSON.parse(lines.join('\n')) };
  },

  async fetch(apiUrl, token) {
    const program = `
const token = ${JSON.stringify(token)};
const apiUrl = ${JSON.stringify(apiUrl)};
const response = await fetch(apiUrl, {
  headers: {
    "Authorization": \`Bearer \${token}\`,
  },
});
const result = await response.json();
console.log(JSON.stringify({ status: response.status, body: result }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program]);
    return JSON.parse(stdout);
  },

  async requests(apiUrl, token) {
    const program = `
import json, requests
token = ${JSON.stringify(token)}
apiUrl = ${JSON.stringify(apiUrl)}
headers = {
    "Content-Type": "application/json",
    "Authorization" : f"Bearer {token}"
}
response = requests.get(apiUrl, headers=headers)
print(json.dumps({"status": response.status_code, "body": response.json()}))`;
    const { stdout } = await run(PYTHON, ['-c', program]);
    return JSON.parse(stdout);
  },
};

const names = Object.keys(examples).filter((name) => name !== 'requests' || pythonHasRequests);

describe('seed examples against a local server', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    token = await server.newToken();
    const configure = async (path: string, json: unknown) => expect((await server.call('POST', path, { token, json })).status).toBe(204);
    await configure('/v1/faceswap/account/1100000000000000001', { discord: 'Discord token A', server: '1200000000000000001', channel: '1100000000000000001' });
    await configure('/v1/faceswap/account/1100000000000000002', { discord: 'Discord token B', server: '1200000000000000002', channel: '1100000000000000002' });
    const tenant = (await server.services.store.tenants.list()).at(-1)!;
    const accountA = (await server.services.store.accounts.get(tenant.id, 'faceswap', '1100000000000000001'))!;
    await server.services.store.accounts.setCredits(accountA.id, { timestamp: '2024-02-01T02:05:24.991000+00:00', total: 50, used: 18 }, Date.now());
    await configure('/v1/pika/account/1300000000000000001', { discord: 'Discord token A', channel: '1300000000000000001', maxJobs: 10 });
    await configure('/v1/pika/account/1300000000000000002', { discord: 'Discord token B', channel: '1300000000000000002', maxJobs: 1 });
  });
  afterAll(() => server.close());

  describe.each(names)('the %s example', (name) => {
    const example = examples[name]!;

    it('lists faceswap accounts keyed by channel, with credits only where known', async () => {
      const { status, body } = await example(`${server.url}/v1/faceswap/account`, token);
      expect(status).toBe(200);
      expect(body).toEqual({
        '1100000000000000001': {
          server: '1200000000000000001',
          channel: '1100000000000000001',
          discord: 'Discord token A',
          credits: { timestamp: '2024-02-01T02:05:24.991000+00:00', total: 50, used: 18 },
        },
        '1100000000000000002': { server: '1200000000000000002', channel: '1100000000000000002', discord: 'Discord token B' },
      });
    });

    it('lists pika accounts keyed by channel with maxJobs', async () => {
      const { status, body } = await example(`${server.url}/v1/pika/account`, token);
      expect(status).toBe(200);
      expect(body).toEqual({
        '1300000000000000001': { channel: '1300000000000000001', discord: 'Discord token A', maxJobs: 10 },
        '1300000000000000002': { channel: '1300000000000000002', discord: 'Discord token B', maxJobs: 1 },
      });
    });

    it.each(['faceswap', 'pika'])('gets the seed 401 body for %s with a wrong token', async (bot) => {
      const { status, body } = await example(`${server.url}/v1/${bot}/account`, 'user:1234-notAToken');
      expect(status).toBe(401);
      expect(body).toEqual({ error: 'Unauthorized', code: 401 });
    });
  });
});
