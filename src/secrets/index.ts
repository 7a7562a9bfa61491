/**
 * Discord tokens (and webhook secrets) at rest: AES-256-GCM under a key derived from
 * SWITCHBOARD_SECRET — used as is when it is a 32-byte random key, stretched with scrypt (random
 * salt stored beside the key check) when it is a passphrase — or from a random key file (mode
 * 0600) in the data dir when no secret is configured. The store keeps a key-check value, so
 * starting with the wrong key fails loudly instead of corrupting accounts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.ts';

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

  /** Opens a value without remembering it (bulk re-sealing). */
  decryptUncached(sealed: string): string {
    return this.#opened.get(sealed) ?? this.#open(sealed);
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

/** What the operator gave: a 32-byte random key (used as is) or a passphrase (stretched with scrypt). */
export type SecretMaterial = { kind: 'key'; key: Buffer } | { kind: 'passphrase'; passphrase: string };

/** How the stored key was derived; kept in the store beside the key check (`secret_kdf`). */
export type KdfParams = { alg: 'none' } | { alg: 'scrypt'; N: number; r: number; p: number; salt: string };

/**
 * scrypt at N=2^15, r=8 (32 MiB, about 0.1 s per guess on one core): a weak passphrase read out
 * of a stolen database costs an attacker hours per million guesses instead of seconds (RFC 7914;
 * OWASP's password storage guidance lists N=2^17 for logins, which run on every request — ours runs once per start).
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

/**
 * A secret that decodes to exactly 32 bytes (64 hex digits, or base64/base64url of 32 bytes —
 * what `openssl rand -base64 32` prints) is a random key already; anything else is a passphrase.
 */
export function secretMaterial(secret: string): SecretMaterial {
  if (/^[0-9a-fA-F]{64}$/.test(secret)) return { kind: 'key', key: Buffer.from(secret, 'hex') };
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(secret)) {
    const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return { kind: 'key', key };
  }
  return { kind: 'passphrase', passphrase: secret };
}

export function newKdfParams(material: SecretMaterial): KdfParams {
  return material.kind === 'key' ? { alg: 'none' } : { alg: 'scrypt', ...SCRYPT, salt: crypto.randomBytes(16).toString('base64') };
}

/** The master key for the material under the stored derivation. */
export function masterKeyFor(material: SecretMaterial, kdf: KdfParams): Buffer {
  if (material.kind === 'key') {
    if (kdf.alg !== 'none') throw new SecretKeyError('the store expects a passphrase (scrypt), but SWITCHBOARD_SECRET is a 32-byte key');
    return material.key;
  }
  if (kdf.alg !== 'scrypt') throw new SecretKeyError('the store expects a 32-byte key, but SWITCHBOARD_SECRET is a passphrase');
  return crypto.scryptSync(material.passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r });
}

/** Before scrypt, a passphrase's UTF-8 bytes went straight into HKDF; kept only to migrate such stores. */
function legacyMasterKey(material: SecretMaterial, secret: string | undefined): Buffer {
  return secret !== undefined ? Buffer.from(secret, 'utf8') : (material as { key: Buffer }).key;
}

const KEY_FILE_NEXT = `${KEY_FILE}.next`;

/** Reads SWITCHBOARD_SECRET, or the key file in the data dir (creating it on first start). */
export function loadSecretMaterial(options: { secret: string | undefined; dataDir: string }): SecretMaterial {
  if (options.secret !== undefined) {
    if (options.secret.length < 16) throw new SecretKeyError('SWITCHBOARD_SECRET must be at least 16 characters long');
    return secretMaterial(options.secret);
  }
  return { kind: 'key', key: loadKeyFile(options.dataDir) };
}

function loadKeyFile(dataDir: string, name = KEY_FILE): Buffer {
  const file = path.join(dataDir, name);
  try {
    ensurePrivateDir(dataDir);
    // 'wx' fails if the file exists, so two processes starting together never overwrite a key.
    if (name === KEY_FILE) fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SecretKeyError(`cannot create the key file ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new SecretKeyError(`key file ${file} is damaged (expected 32 base64 bytes)`);
  return key;
}

/** Creates the data dir 0700, or narrows an existing one: it holds the database and the key. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    try {
      fs.chmodSync(dir, 0o700);
    } catch {
      // Not ours to change (a mounted volume): the files inside are still 0600.
    }
  }
}

function parseKdf(raw: string | undefined): KdfParams | undefined {
  if (raw === undefined) return undefined;
  const value = JSON.parse(raw) as KdfParams;
  if (value.alg !== 'none' && value.alg !== 'scrypt') throw new SecretKeyError(`the store names an unknown key derivation '${(value as { alg: string }).alg}'`);
  return value;
}

/**
 * Opens the secret box for a store: the first start records the derivation and the key check;
 * every later start (any instance) must present the same key, otherwise stored tokens would be
 * unreadable. A store written before scrypt is moved to it in place (all tokens re-sealed).
 */
export async function openSecretBox(options: { secret: string | undefined; dataDir: string }, store: Pick<Store, 'meta' | 'sealed'>): Promise<SecretBox> {
  finishKeyFileRotation(options, await store.meta.get('secret_key_check'));
  const material = loadSecretMaterial(options);
  for (let attempt = 0; attempt < 3; attempt++) {
    const storedCheck = await store.meta.get('secret_key_check');
    const storedKdf = parseKdf(await store.meta.get('secret_kdf'));
    if (storedCheck === undefined) {
      // A fresh store: record the derivation first (two instances starting together agree on one salt).
      const kdf = parseKdf(await store.meta.setIfAbsent('secret_kdf', JSON.stringify(newKdfParams(material))))!;
      const box = new SecretBox(masterKeyFor(material, kdf));
      if ((await store.meta.setIfAbsent('secret_key_check', box.keyCheck())) === box.keyCheck()) return box;
      continue;
    }
    if (storedKdf) {
      if ((storedKdf.alg === 'none') !== (material.kind === 'key')) throw wrongKey(options, storedKdf.alg === 'none' ? 'the store was sealed with a 32-byte key, not a passphrase' : 'the store was sealed with a passphrase, not a 32-byte key');
      const box = new SecretBox(masterKeyFor(material, storedKdf));
      if (box.keyCheck() === storedCheck) return box;
      throw wrongKey(options);
    }
    // Written before key derivation was recorded: the key check was made from the raw secret.
    const legacy = legacyMasterKey(material, options.secret);
    const legacyBox = new SecretBox(legacy);
    if (legacyBox.keyCheck() !== storedCheck) throw wrongKey(options);
    const kdf = newKdfParams(material);
    if (material.kind === 'key' && material.key.equals(legacy)) {
      // The key file: nothing was derived, so nothing changes but the record of it.
      await store.meta.setIfAbsent('secret_kdf', JSON.stringify(kdf));
      return legacyBox;
    }
    const box = new SecretBox(masterKeyFor(material, kdf));
    if (await resealAll(store, legacyBox, box, storedCheck, kdf)) return box;
  }
  throw new SecretKeyError('the stored key changed while starting; start again');
}

/** Re-seals every stored secret from one box to another in one transaction; false if another process did first. */
export function resealAll(store: Pick<Store, 'sealed'>, from: SecretBox, to: SecretBox, expectedCheck: string, kdf: KdfParams): Promise<boolean> {
  return store.sealed.rewrite(
    expectedCheck,
    (cell) => {
      const plaintext = from.decryptUncached(cell.sealed);
      return { sealed: to.encrypt(plaintext), ...(cell.table === 'accounts' && cell.column === 'discordToken' ? { fingerprint: to.fingerprint(plaintext) } : {}) };
    },
    { secret_key_check: to.keyCheck(), secret_kdf: JSON.stringify(kdf) },
  );
}

function wrongKey(options: { secret: string | undefined; dataDir: string }, detail?: string): SecretKeyError {
  return new SecretKeyError(
    (options.secret !== undefined
      ? 'SWITCHBOARD_SECRET is not the key that encrypted the stored Discord tokens'
      : `the key file in ${options.dataDir} is not the key that encrypted the stored Discord tokens (set SWITCHBOARD_SECRET to the original secret)`) + (detail ? `: ${detail}` : ''),
  );
}

/**
 * `switchboard secret rotate`: re-seals every stored secret under a new key. With a new secret
 * given it is used (the operator then sets SWITCHBOARD_SECRET to it); with the key file, a new
 * random key replaces the file: written beside it first, moved over it once the store committed,
 * and a start that finds the move unfinished completes it.
 */
export async function rotateSecret(options: { secret: string | undefined; dataDir: string; newSecret: string | undefined }, store: Pick<Store, 'meta' | 'sealed'>): Promise<{ kdf: KdfParams['alg']; keyFile?: string }> {
  const current = await openSecretBox(options, store);
  const storedCheck = (await store.meta.get('secret_key_check'))!;
  if (options.newSecret !== undefined && options.newSecret.length < 16) throw new SecretKeyError('the new secret must be at least 16 characters long');
  if (options.secret !== undefined && options.newSecret === undefined) throw new SecretKeyError('SWITCHBOARD_SECRET is set: give the new secret in SWITCHBOARD_NEW_SECRET');
  let material: SecretMaterial;
  let nextFile: string | undefined;
  if (options.newSecret !== undefined) material = secretMaterial(options.newSecret);
  else {
    nextFile = path.join(options.dataDir, KEY_FILE_NEXT);
    fs.writeFileSync(nextFile, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
    material = { kind: 'key', key: loadKeyFile(options.dataDir, KEY_FILE_NEXT) };
  }
  const kdf = newKdfParams(material);
  const next = new SecretBox(masterKeyFor(material, kdf));
  if (!(await resealAll(store, current, next, storedCheck, kdf))) throw new SecretKeyError('another process changed the key meanwhile; nothing was rotated');
  if (nextFile) {
    fs.renameSync(nextFile, path.join(options.dataDir, KEY_FILE));
    return { kdf: kdf.alg, keyFile: path.join(options.dataDir, KEY_FILE) };
  }
  return { kdf: kdf.alg };
}

/** A rotation that committed but stopped before moving the new key file into place is completed. */
function finishKeyFileRotation(options: { secret: string | undefined; dataDir: string }, storedCheck: string | undefined): void {
  if (options.secret !== undefined || storedCheck === undefined) return;
  const nextFile = path.join(options.dataDir, KEY_FILE_NEXT);
  if (!fs.existsSync(nextFile)) return;
  const next = new SecretBox(loadKeyFile(options.dataDir, KEY_FILE_NEXT));
  if (next.keyCheck() === storedCheck) fs.renameSync(nextFile, path.join(options.dataDir, KEY_FILE));
  else fs.rmSync(nextFile, { force: true }); // the rotation never committed
}
