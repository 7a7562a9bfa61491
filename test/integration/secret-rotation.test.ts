/**
 * The secret that seals Discord tokens: a passphrase is stretched with scrypt (random salt stored
 * beside the key check), a 32-byte key is used as is, stores sealed the old way move over on their
 * own, and `switchboard secret rotate` re-seals everything under a new secret — checked over HTTP.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { openServices, type Services } from '../../src/bootstrap/index.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { buildApp } from '../../src/http/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { openStore } from '../../src/store/index.ts';
import { tenantWebhookSecret } from '../../src/webhooks/index.ts';
import { runCli } from '../support/cli.ts';
import { freshDatabase, type TestStoreSetup } from '../support/stores.ts';

const DISCORD = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GsEcReT.rotation-discord-token';
const CHANNEL = '1100000000000000001';
const SERVER = '1200000000000000001';
const PASSPHRASE = 'correct horse battery staple';

describe('the secret at rest (SQLite, real CLI)', () => {
  let setup: TestStoreSetup;
  const opened: Services[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await setup?.cleanup();
  });

  const configWith = (env: Record<string, string>): Config => loadConfig({ SWITCHBOARD_DATA_DIR: setup.config.dataDir, LOG_LEVEL: 'silent', SWITCHBOARD_VERIFY_ACCOUNTS: '0', ...env });
  const open = async (config: Config) => {
    const services = await openServices(config);
    opened.push(services);
    return services;
  };
  const closeAll = () => Promise.all(opened.splice(0).map((s) => s.close()));

  /** Saves an account over HTTP and returns what GET answers for it. */
  async function saveAndRead(services: Services, token: string, save = true): Promise<unknown> {
    const app = await buildApp(services);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address() as { port: number };
      const url = `http://127.0.0.1:${address.port}/v1/faceswap/account/${CHANNEL}`;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      if (save) expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify({ discord: DISCORD, server: SERVER, channel: CHANNEL }) })).status).toBe(204);
      const response = await fetch(url, { headers });
      expect(response.status).toBe(200);
      return response.json();
    } finally {
      await app.close();
    }
  }

  async function metaOf(key: string): Promise<string | undefined> {
    const store = await openStore(setup.config);
    try {
      return await store.meta.get(key);
    } finally {
      await store.close();
    }
  }

  it('stretches a passphrase with scrypt under a random salt kept beside the key check', async () => {
    setup = await freshDatabase('sqlite');
    const services = await open(configWith({ SWITCHBOARD_SECRET: PASSPHRASE }));
    const { token } = await issueApiToken(services.store, 'owner');
    expect(await saveAndRead(services, token)).toMatchObject({ discord: DISCORD });
    await closeAll();
    const kdf = JSON.parse((await metaOf('secret_kdf'))!);
    expect(kdf).toMatchObject({ alg: 'scrypt', N: 32768, r: 8, p: 1 });
    expect(Buffer.from(kdf.salt, 'base64')).toHaveLength(16);
    // The stored check is not the fast (HKDF-only) derivation of the passphrase any more.
    expect(await metaOf('secret_key_check')).not.toBe(new SecretBox(Buffer.from(PASSPHRASE)).keyCheck());
    // A wrong passphrase is refused at start.
    await expect(open(configWith({ SWITCHBOARD_SECRET: 'not the passphrase at all' }))).rejects.toThrow(/not the key/);
  });

  it('uses a 32-byte random key as it is, without stretching', async () => {
    setup = await freshDatabase('sqlite');
    const key = crypto.randomBytes(32).toString('base64');
    const services = await open(configWith({ SWITCHBOARD_SECRET: key }));
    const { token } = await issueApiToken(services.store, 'owner');
    expect(await saveAndRead(services, token)).toMatchObject({ discord: DISCORD });
    await closeAll();
    expect(JSON.parse((await metaOf('secret_kdf'))!)).toEqual({ alg: 'none' });
    expect(await metaOf('secret_key_check')).toBe(new SecretBox(Buffer.from(key, 'base64')).keyCheck());
  });

  it('moves a store sealed the old way (no stretching) to scrypt on start, transparently', async () => {
    setup = await freshDatabase('sqlite');
    // Build the old layout: tokens sealed under the raw passphrase, its key check, no derivation record.
    const legacy = new SecretBox(Buffer.from(PASSPHRASE, 'utf8'));
    const store = await openStore(setup.config);
    const { token, tenant } = await issueApiToken(store, 'owner');
    await store.meta.setIfAbsent('secret_key_check', legacy.keyCheck());
    await store.accounts.upsert({ id: 'acc_legacy', tenantId: tenant.id, bot: 'faceswap', channel: CHANNEL, server: SERVER, discordToken: legacy.encrypt(DISCORD), discordFingerprint: legacy.fingerprint(DISCORD), maxJobs: null, now: Date.now() });
    const webhookSecret = await store.tenants.webhookSecret(tenant.id, () => legacy.encrypt('whsec_legacy'));
    await store.close();

    const services = await open(configWith({ SWITCHBOARD_SECRET: PASSPHRASE }));
    expect(await saveAndRead(services, token, false)).toMatchObject({ discord: DISCORD });
    expect(await tenantWebhookSecret(services.store, services.secrets, tenant.id)).toBe('whsec_legacy');
    const account = (await services.store.accounts.list(tenant.id, 'faceswap'))[0]!;
    expect(account.discordFingerprint).toBe(services.secrets.fingerprint(DISCORD));
    expect(account.discordFingerprint).not.toBe(legacy.fingerprint(DISCORD));
    await closeAll();
    expect(JSON.parse((await metaOf('secret_kdf'))!).alg).toBe('scrypt');
    expect(await metaOf('secret_key_check')).not.toBe(legacy.keyCheck());
    const reopened = await openStore(setup.config);
    expect(await reopened.tenants.webhookSecret(tenant.id, () => 'unused')).not.toBe(webhookSecret);
    await reopened.close();
  });

  it('rotates every sealed secret to SWITCHBOARD_NEW_SECRET with the CLI', async () => {
    setup = await freshDatabase('sqlite');
    const services = await open(configWith({ SWITCHBOARD_SECRET: PASSPHRASE }));
    const { token, tenant } = await issueApiToken(services.store, 'owner');
    await saveAndRead(services, token);
    const whsec = await tenantWebhookSecret(services.store, services.secrets, tenant.id);
    await closeAll();

    const env = { SWITCHBOARD_DATA_DIR: setup.config.dataDir, SWITCHBOARD_SECRET: PASSPHRASE };
    const missing = await runCli(['secret', 'rotate'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/SWITCHBOARD_NEW_SECRET/);
    const rotated = await runCli(['secret', 'rotate'], { ...env, SWITCHBOARD_NEW_SECRET: 'an entirely new passphrase' });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/Rotated/);

    await expect(open(configWith({ SWITCHBOARD_SECRET: PASSPHRASE }))).rejects.toThrow(/not the key/);
    const after = await open(configWith({ SWITCHBOARD_SECRET: 'an entirely new passphrase' }));
    expect(await saveAndRead(after, token, false)).toMatchObject({ discord: DISCORD });
    expect(await tenantWebhookSecret(after.store, after.secrets, tenant.id)).toBe(whsec);
    // The one-owner check still finds the token under its new fingerprint.
    const { tenant: other } = await issueApiToken(after.store, 'other');
    await expect(after.accounts.save(other.id, after.providers.all[0]!, '1100000000000000009', { discord: DISCORD, server: '1200000000000000009', channel: '1100000000000000009' })).rejects.toMatchObject({ status: 409 });
  });

  it('rotates the key file to a new random key, keeping it 0600', async () => {
    setup = await freshDatabase('sqlite');
    const services = await open(configWith({}));
    const { token } = await issueApiToken(services.store, 'owner');
    await saveAndRead(services, token);
    await closeAll();
    const keyFile = path.join(setup.config.dataDir, 'secret.key');
    const before = fs.readFileSync(keyFile, 'utf8');
    const rotated = await runCli(['secret', 'rotate'], { SWITCHBOARD_DATA_DIR: setup.config.dataDir });
    expect(rotated.code).toBe(0);
    expect(fs.readFileSync(keyFile, 'utf8')).not.toBe(before);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${keyFile}.next`)).toBe(false);
    const after = await open(configWith({}));
    expect(await saveAndRead(after, token, false)).toMatchObject({ discord: DISCORD });
  });

  it('creates the data dir 0700 and the database files 0600, narrowing a wider dir', async () => {
    setup = await freshDatabase('sqlite');
    fs.chmodSync(setup.config.dataDir, 0o755);
    const services = await open(configWith({ SWITCHBOARD_SECRET: PASSPHRASE }));
    await issueApiToken(services.store, 'owner');
    expect(fs.statSync(setup.config.dataDir).mode & 0o777).toBe(0o700);
    for (const file of fs.readdirSync(setup.config.dataDir).filter((f) => f.startsWith('switchboard.db'))) {
      expect(fs.statSync(path.join(setup.config.dataDir, file)).mode & 0o777, file).toBe(0o600);
    }
  });
});
