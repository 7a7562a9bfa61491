/**
 * Discord tokens at rest: AES-256-GCM under a key derived from SWITCHBOARD_SECRET, or from a
 * random key file (mode 0600) in the data dir when no secret is configured. The store keeps a
 * key-check value, so starting with the wrong key fails loudly instead of corrupting accounts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MetaStore } from '../store/index.ts';

const KEY_FILE = 'secret.key';
const FORMAT = 'v1';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** Encrypts, decrypts and fingerprints Discord tokens. Never logs or keeps plaintext. */
export class SecretBox {
  readonly #encryptionKey: Buffer;
  readonly #fingerprintKey: Buffer;
  /** Sealed value → plaintext. Every sealing has a fresh IV, so a sealed value names one secret. */
  readonly #opened = new Map<string, string>();

  constructor(masterKey: Buffer) {
    this.#encryptionKey = derive(masterKey, 'discord-token-encryption');
    this.#fingerprintKey = derive(masterKey, 'discord-token-fingerprint');
  }

  encrypt(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  decrypt(sealed: string): string {
    const cached = this.#opened.get(sealed);
    if (cached !== undefined) return cached;
    const plaintext = this.#open(sealed);
    // Bounded: tokens of live accounts are read on every listing and job; a few thousand at most.
    if (this.#opened.size >= 5000) this.#opened.delete(this.#opened.keys().next().value!);
    this.#opened.set(sealed, plaintext);
    return plaintext;
  }

  #open(sealed: string): string {
    const [format, iv, tag, body] = sealed.split(':');
    if (format !== FORMAT || !iv || !tag || body === undefined) throw new SecretKeyError('stored secret has an unknown format');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.#encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretKeyError('stored secret cannot be decrypted with the configured key', { cause: error });
    }
  }

  /** A keyed hash: equal tokens give equal fingerprints, and the fingerprint reveals nothing. */
  fingerprint(plaintext: string): string {
    return crypto.createHmac('sha256', this.#fingerprintKey).update(plaintext, 'utf8').digest('hex');
  }

  /** A value that identifies the key without revealing it, stored once to catch key mix-ups. */
  keyCheck(): string {
    return crypto.createHmac('sha256', this.#fingerprintKey).update('switchboard-key-check').digest('hex');
  }
}

function derive(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, 'switchboard', purpose, 32));
}

/** Reads SWITCHBOARD_SECRET, or the key file in the data dir (creating it on first start). */
export function loadMasterKey(options: { secret: string | undefined; dataDir: string }): Buffer {
  if (options.secret !== undefined) {
    if (options.secret.length < 16) throw new SecretKeyError('SWITCHBOARD_SECRET must be at least 16 characters long');
    return Buffer.from(options.secret, 'utf8');
  }
  const file = path.join(options.dataDir, KEY_FILE);
  try {
    fs.mkdirSync(options.dataDir, { recursive: true });
    // 'wx' fails if the file exists, so two processes starting together never overwrite a key.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SecretKeyError(`cannot create the key file ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new SecretKeyError(`key file ${file} is damaged (expected 32 base64 bytes)`);
  return key;
}

/**
 * Opens the secret box for a store: the first start records the key check; every later start
 * (any instance) must present the same key, otherwise stored tokens would be unreadable.
 */
export async function openSecretBox(options: { secret: string | undefined; dataDir: string }, meta: MetaStore): Promise<SecretBox> {
  const box = new SecretBox(loadMasterKey(options));
  const stored = await meta.setIfAbsent('secret_key_check', box.keyCheck());
  if (stored !== box.keyCheck()) {
    throw new SecretKeyError(
      options.secret !== undefined
        ? 'SWITCHBOARD_SECRET is not the key that encrypted the stored Discord tokens'
        : `the key file in ${options.dataDir} is not the key that encrypted the stored Discord tokens (set SWITCHBOARD_SECRET to the original secret)`,
    );
  }
  return box;
}
