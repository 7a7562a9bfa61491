/**
 * API tokens: each one is a tenant. Only a SHA-256 hash of a token is stored; tokens carry 256
 * random bits, so a fast hash is enough and a leaked database reveals no usable token.
 */
import crypto from 'node:crypto';
import type { Store, TenantRecord } from '../store/index.ts';

const PREFIX = 'sb_';

export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface IssuedToken {
  token: string;
  tenant: TenantRecord;
}

/** Creates a tenant with a fresh token; the plaintext token exists only in the return value. */
export async function issueApiToken(store: Store, name: string, now = Date.now()): Promise<IssuedToken> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 100) throw new RangeError('token name must be 1 to 100 characters');
  const token = PREFIX + crypto.randomBytes(32).toString('base64url');
  const tenant = await store.tenants.create({
    id: `tnt_${crypto.randomBytes(8).toString('hex')}`,
    name: trimmed,
    tokenHash: hashApiToken(token),
    tokenHint: `${token.slice(0, 7)}…`,
    createdAt: now,
  });
  return { token, tenant };
}

/** Parses `Authorization: Bearer <token>`; anything else is no token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * The tenant for a presented token, or undefined. The lookup is by hash, so the database never
 * compares secret material, and the stored hash is then compared in constant time.
 */
export async function authenticateApiToken(store: Store, token: string): Promise<TenantRecord | undefined> {
  if (token.length > 512) return undefined;
  const hash = hashApiToken(token);
  const found = await store.tenants.findByTokenHash(hash);
  if (!found) return undefined;
  const { tokenHash, ...tenant } = found;
  return crypto.timingSafeEqual(Buffer.from(tokenHash, 'hex'), Buffer.from(hash, 'hex')) ? tenant : undefined;
}
