/** Discord tokens are encrypted in the database, and neither they nor API tokens reach the logs. */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import { buildApp } from '../../src/http/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { availableStoreKinds, freshDatabase, POSTGRES_URL, type TestStoreSetup } from '../support/stores.ts';

const kinds = await availableStoreKinds();
const DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GsEcReT.plaintext-discord-token-xyz';
const CHANNEL = '1100000000000000001';

describe.each(kinds)('secrets at rest on %s', (kind) => {
  let setup: TestStoreSetup;
  let services: Services;

  afterEach(async () => {
    await services?.close();
    await setup?.cleanup();
  });

  async function start(env: Record<string, string> = {}) {
    setup = await freshDatabase(kind, env);
    services = await openServices(setup.config, setup.schema ? { store: { schema: setup.schema } } : {});
  }

  /** Every byte the database holds for the accounts, as text. */
  async function rawDatabaseText(): Promise<string> {
    if (kind === 'sqlite') {
      await services.close();
      const dir = setup.config.dataDir;
      const text = fs.readdirSync(dir).filter((f) => f.startsWith('switchboard.db')).map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1')).join('\n');
      services = await openServices(setup.config);
      return text;
    }
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const result = await client.query(`select row_to_json(a)::text as row from ${setup.schema}.accounts a`);
      return result.rows.map((r) => r.row).join('\n');
    } finally {
      await client.end();
    }
  }

  it('stores no plaintext Discord token, yet the API returns it', async () => {
    await start({ SWITCHBOARD_SECRET: 'a-long-enough-test-secret' });
    const { tenant } = await issueApiToken(services.store, 'owner');
    await services.accounts.save(tenant.id, services.providers.all[0]!, CHANNEL, { discord: DISCORD_TOKEN, server: '1200000000000000001', channel: CHANNEL });
    const raw = await rawDatabaseText();
    expect(raw).toContain(CHANNEL);
    expect(raw).not.toContain(DISCORD_TOKEN);
    expect(raw).not.toContain('plaintext-discord-token');
    expect(await services.accounts.get(tenant.id, services.providers.all[0]!, CHANNEL)).toMatchObject({ discord: DISCORD_TOKEN });
  });

  it('generates a private key file when no secret is configured, and refuses a different key later', async () => {
    await start();
    const keyFile = path.join(setup.config.dataDir, 'secret.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    await services.close();
    const wrongKey = loadConfig({ SWITCHBOARD_DATA_DIR: setup.config.dataDir, SWITCHBOARD_SECRET: 'some-other-secret-value', ...(setup.config.databaseUrl ? { DATABASE_URL: setup.config.databaseUrl } : {}) });
    await expect(openServices(wrongKey, setup.schema ? { store: { schema: setup.schema } } : {})).rejects.toThrow(/not the key that encrypted the stored Discord tokens/);
    services = await openServices(setup.config, setup.schema ? { store: { schema: setup.schema } } : {});
  });

  it('writes neither API tokens nor Discord tokens to the logs', async () => {
    await start({ SWITCHBOARD_SECRET: 'a-long-enough-test-secret', LOG_LEVEL: 'debug' });
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const app = await buildApp({ ...services, config: { ...services.config, logLevel: 'trace' } }, { logStream: stream });
    const { token } = await issueApiToken(services.store, 'logger');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await app.inject({ method: 'POST', url: `/v1/faceswap/account/${CHANNEL}`, headers, payload: { discord: DISCORD_TOKEN, server: '1200000000000000001', channel: CHANNEL } });
    await app.inject({ method: 'GET', url: '/v1/faceswap/account', headers });
    await app.inject({ method: 'POST', url: `/v1/faceswap/account/${CHANNEL}`, headers, payload: { discord: DISCORD_TOKEN, server: 'bad', channel: CHANNEL } });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).not.toContain(token);
    expect(log).not.toContain(DISCORD_TOKEN);
  });
});
