/** The account API of both bots over real HTTP, per useapi A1–A4 and B1–B4, on every store. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { availableStoreKinds } from '../support/stores.ts';

const kinds = await availableStoreKinds();

const CHANNEL = '1100000000000000001';
const CHANNEL_2 = '1100000000000000002';
const SERVER = '1200000000000000001';
const SERVER_2 = '1200000000000000002';
// One Discord account belongs to one tenant: each test (a new tenant) gets tokens of its own.
let DISCORD = 'MTE5.discord-token-A.abcdef';
let DISCORD_2 = 'MTE5.discord-token-B.ghijkl';
let tokenSerial = 0;

const faceswapBody = (overrides: Record<string, unknown> = {}) => ({ discord: DISCORD, server: SERVER, channel: CHANNEL, ...overrides });
const pikaBody = (overrides: Record<string, unknown> = {}) => ({ discord: DISCORD, channel: CHANNEL, maxJobs: 3, ...overrides });

describe.each(kinds)('account API on %s', (kind) => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    token = await server.newToken();
    tokenSerial++;
    DISCORD = `MTE5.discord-token-A${tokenSerial}.abcdef`;
    DISCORD_2 = `MTE5.discord-token-B${tokenSerial}.ghijkl`;
  });

  const expectPlain404 = async (response: Response, bot: string) => {
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(`Configuration not found. To create configuration use ${bot}/account/channel.`);
  };

  const expectError = async (response: Response, status: number, error: string) => {
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error, code: status });
  };

  describe('faceswap', () => {
    it('answers the documented plain-text 404 while nothing is configured', async () => {
      await expectPlain404(await server.call('GET', '/v1/faceswap/account', { token }), 'faceswap');
      await expectPlain404(await server.call('GET', `/v1/faceswap/account/${CHANNEL}`, { token }), 'faceswap');
      await expectPlain404(await server.call('DELETE', `/v1/faceswap/account/${CHANNEL}`, { token }), 'faceswap');
    });

    it('creates an account with 204 and lists it keyed by channel in the seed shape', async () => {
      const created = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      expect(created.status).toBe(204);
      expect(await created.text()).toBe('');
      const list = await server.call('GET', '/v1/faceswap/account', { token });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ [CHANNEL]: { server: SERVER, channel: CHANNEL, discord: DISCORD } });
      const one = await server.call('GET', `/v1/faceswap/account/${CHANNEL}`, { token });
      expect(await one.json()).toEqual({ server: SERVER, channel: CHANNEL, discord: DISCORD });
    });

    it('shows credits only once they are known', async () => {
      await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      const tenant = (await server.services.store.tenants.list()).at(-1)!;
      const account = (await server.services.store.accounts.get(tenant.id, 'faceswap', CHANNEL))!;
      const credits = { timestamp: '2024-02-01T02:05:24.991000+00:00', total: 50, used: 18 };
      await server.services.store.accounts.setCredits(account.id, credits, Date.now());
      const list = await (await server.call('GET', '/v1/faceswap/account', { token })).json();
      expect(list).toEqual({ [CHANNEL]: { server: SERVER, channel: CHANNEL, discord: DISCORD, credits } });
    });

    it('updates an existing channel in place', async () => {
      await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      const updated = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody({ discord: DISCORD_2 }) });
      expect(updated.status).toBe(204);
      expect(await (await server.call('GET', '/v1/faceswap/account', { token })).json()).toEqual({
        [CHANNEL]: { server: SERVER, channel: CHANNEL, discord: DISCORD_2 },
      });
    });

    it('deletes an account with 204, after which it is not found', async () => {
      await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      const deleted = await server.call('DELETE', `/v1/faceswap/account/${CHANNEL}`, { token });
      expect(deleted.status).toBe(204);
      await expectPlain404(await server.call('GET', `/v1/faceswap/account/${CHANNEL}`, { token }), 'faceswap');
    });

    it.each([
      ['discord is missing', faceswapBody({ discord: undefined }), 'Required param discord is missing or empty'],
      ['discord is empty', faceswapBody({ discord: '  ' }), 'Required param discord is missing or empty'],
      ['server is missing', faceswapBody({ server: undefined }), 'Required param server is missing or empty'],
      ['channel is missing', faceswapBody({ channel: '' }), 'Required param channel is missing or empty'],
      ['server is not a snowflake', faceswapBody({ server: 'my-server' }), 'Required param channel (my-server) is not valid Discord channel id'],
      ['channel is not a snowflake', faceswapBody({ channel: '12345' }), 'Required param channel (12345) is not valid Discord channel id'],
      ['channel is a JSON number', faceswapBody({ channel: 1100000000000000001 }), 'Required param channel (1100000000000000000) is not valid Discord channel id'],
      ['body channel differs from the path', faceswapBody({ channel: CHANNEL_2 }), `Required param channel (${CHANNEL_2}) not matching to /faceswap/account/${CHANNEL}`],
    ])('answers 400 when %s', async (_case, body, message) => {
      await expectError(await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: body }), 400, message);
    });

    it('refuses a second channel that reuses a discord token or a server', async () => {
      await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      await expectError(
        await server.call('POST', `/v1/faceswap/account/${CHANNEL_2}`, { token, json: faceswapBody({ channel: CHANNEL_2, server: SERVER_2 }) }),
        400,
        `Channel ${CHANNEL} configuration has same discord value`,
      );
      await expectError(
        await server.call('POST', `/v1/faceswap/account/${CHANNEL_2}`, { token, json: faceswapBody({ channel: CHANNEL_2, discord: DISCORD_2 }) }),
        400,
        `Channel ${CHANNEL} configuration has same server value`,
      );
      const ok = await server.call('POST', `/v1/faceswap/account/${CHANNEL_2}`, { token, json: { discord: DISCORD_2, server: SERVER_2, channel: CHANNEL_2 } });
      expect(ok.status).toBe(204);
      const list = (await (await server.call('GET', '/v1/faceswap/account', { token })).json()) as Record<string, unknown>;
      expect(Object.keys(list)).toEqual([CHANNEL, CHANNEL_2]);
    });

    it('reports exactly one winner when two saves race for the same token', async () => {
      const responses = await Promise.all(
        [CHANNEL, CHANNEL_2].map((channel, i) =>
          server.call('POST', `/v1/faceswap/account/${channel}`, { token, json: { discord: DISCORD, server: [SERVER, SERVER_2][i], channel } }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([204, 400]);
    });
  });

  describe('pika', () => {
    it('creates and lists an account in the seed shape, accepting maxJobs as a string', async () => {
      expect((await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: pikaBody({ maxJobs: '7' }) })).status).toBe(204);
      expect(await (await server.call('GET', '/v1/pika/account', { token })).json()).toEqual({ [CHANNEL]: { channel: CHANNEL, discord: DISCORD, maxJobs: 7 } });
      expect(await (await server.call('GET', `/v1/pika/account/${CHANNEL}`, { token })).json()).toEqual({ channel: CHANNEL, discord: DISCORD, maxJobs: 7 });
    });

    it('keeps pika and faceswap configurations separate', async () => {
      await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: pikaBody() });
      await expectPlain404(await server.call('GET', '/v1/faceswap/account', { token }), 'faceswap');
    });

    it.each([
      ['discord is missing', pikaBody({ discord: null }), 'Required param discord is missing or empty'],
      ['channel is missing', pikaBody({ channel: undefined }), 'Required param channel is missing or empty'],
      ['channel is not a snowflake', pikaBody({ channel: 'dm' }), 'Required param channel (dm) is not valid Discord channel id'],
      ['body channel differs from the path', pikaBody({ channel: CHANNEL_2 }), `Required param channel (${CHANNEL_2}) not matching to /pika/account/${CHANNEL}`],
      ['maxJobs is missing', pikaBody({ maxJobs: undefined }), 'Required param maxJobs is missing or empty'],
      ['maxJobs is above 10', pikaBody({ maxJobs: 11 }), "Required param maxJobs 11 can't be more that 10"],
      ['maxJobs is zero', pikaBody({ maxJobs: 0 }), 'Required param maxJobs (0) must be a whole number from 1 to 10'],
      ['maxJobs is not a number', pikaBody({ maxJobs: 'lots' }), 'Required param maxJobs (lots) must be a whole number from 1 to 10'],
    ])('answers 400 when %s', async (_case, body, message) => {
      await expectError(await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: body }), 400, message);
    });

    it('refuses a second channel that reuses a discord token', async () => {
      await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: pikaBody() });
      await expectError(
        await server.call('POST', `/v1/pika/account/${CHANNEL_2}`, { token, json: pikaBody({ channel: CHANNEL_2 }) }),
        400,
        `Channel ${CHANNEL} configuration has same discord value`,
      );
    });

    it('deletes an account with 204', async () => {
      await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: pikaBody() });
      expect((await server.call('DELETE', `/v1/pika/account/${CHANNEL}`, { token })).status).toBe(204);
      await expectPlain404(await server.call('GET', '/v1/pika/account', { token }), 'pika');
    });
  });

  describe('security', () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/faceswap/account'],
      ['GET', `/v1/faceswap/account/${CHANNEL}`],
      ['POST', `/v1/faceswap/account/${CHANNEL}`, faceswapBody()],
      ['DELETE', `/v1/faceswap/account/${CHANNEL}`],
      ['GET', '/v1/pika/account'],
      ['GET', `/v1/pika/account/${CHANNEL}`],
      ['POST', `/v1/pika/account/${CHANNEL}`, pikaBody()],
      ['DELETE', `/v1/pika/account/${CHANNEL}`],
    ];

    it.each(routes)('%s %s answers 401 without a token, with a wrong token, and with a non-Bearer scheme', async (method, path, json) => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer sb_not-a-real-token' }, { authorization: `Basic ${token}` }, { authorization: 'Bearer' }]) {
        await expectError(await server.call(method, path, { headers, ...(json ? { json } : {}) }), 401, 'Unauthorized');
      }
    });

    it('answers 401 before reading a malformed body', async () => {
      const response = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { body: '{oops', headers: { 'content-type': 'application/json' } });
      await expectError(response, 401, 'Unauthorized');
    });

    it("never shows, changes or deletes another tenant's accounts", async () => {
      const other = await server.newToken('intruder');
      await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody() });
      await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, json: pikaBody() });

      await expectPlain404(await server.call('GET', '/v1/faceswap/account', { token: other }), 'faceswap');
      await expectPlain404(await server.call('GET', `/v1/faceswap/account/${CHANNEL}`, { token: other }), 'faceswap');
      await expectPlain404(await server.call('DELETE', `/v1/faceswap/account/${CHANNEL}`, { token: other }), 'faceswap');
      await expectPlain404(await server.call('GET', `/v1/pika/account/${CHANNEL}`, { token: other }), 'pika');
      await expectPlain404(await server.call('DELETE', `/v1/pika/account/${CHANNEL}`, { token: other }), 'pika');
      // The intruder configuring the same channel gets its own row; the owner's stays untouched.
      expect((await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token: other, json: faceswapBody({ discord: DISCORD_2 }) })).status).toBe(204);
      expect(await (await server.call('GET', '/v1/faceswap/account', { token })).json()).toEqual({ [CHANNEL]: { server: SERVER, channel: CHANNEL, discord: DISCORD } });
      expect(await (await server.call('GET', '/v1/faceswap/account', { token: other })).json()).toEqual({ [CHANNEL]: { server: SERVER, channel: CHANNEL, discord: DISCORD_2 } });
    });

    it('stops accepting a token once it is revoked', async () => {
      const revocable = await server.newToken('short-lived');
      expect((await server.call('GET', '/v1/pika/account', { token: revocable })).status).toBe(404);
      await server.services.store.tenants.revoke('short-lived', Date.now());
      await expectError(await server.call('GET', '/v1/pika/account', { token: revocable }), 401, 'Unauthorized');
    });
  });

  describe('bad requests', () => {
    it('answers 400 for malformed JSON', async () => {
      const response = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, body: '{"discord":', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'Malformed JSON body', code: 400 });
    });

    it('answers 400 when the JSON body is not an object', async () => {
      await expectError(await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: [1, 2] }), 400, 'Request body must be a JSON object');
    });

    it('answers 415 for a content type the API does not take', async () => {
      const response = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, body: 'discord=x', headers: { 'content-type': 'text/plain' } });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'Unsupported Content-Type', code: 415 });
    });

    it('answers 413 for an oversized body', async () => {
      const response = await server.call('POST', `/v1/faceswap/account/${CHANNEL}`, { token, json: faceswapBody({ padding: 'x'.repeat(100_000) }) });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 413 });
    });

    it('answers 404 JSON for an unknown route and 405 with Allow for a wrong method', async () => {
      await expectError(await server.call('GET', '/v1/nothing-here', { token }), 404, 'Route GET /v1/nothing-here not found');
      const wrong = await server.call('PUT', `/v1/faceswap/account/${CHANNEL}`, { token, json: {} });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toContain('POST');
      expect(await wrong.json()).toMatchObject({ error: `Method PUT is not allowed for /v1/faceswap/account/${CHANNEL}`, code: 405 });
    });

    it('treats an empty JSON body as no body', async () => {
      await expectError(
        await server.call('POST', `/v1/pika/account/${CHANNEL}`, { token, body: '', headers: { 'content-type': 'application/json' } }),
        400,
        'Required param discord is missing or empty',
      );
    });

    it('accepts a trailing slash as useapi clients send it', async () => {
      await expectPlain404(await server.call('GET', '/v1/pika/account/', { token }), 'pika');
    });
  });

  describe('operations', () => {
    it('answers /healthz and /readyz without a token', async () => {
      expect(await (await server.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
      expect(await (await server.call('GET', '/readyz')).json()).toEqual({ status: 'ready' });
    });

    it('echoes a harmless X-Request-Id and invents one otherwise', async () => {
      const echoed = await server.call('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('trace-123');
      const invented = await server.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(invented.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
