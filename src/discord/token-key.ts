import { createHash } from 'node:crypto';

/**
 * The key under which per-account state (rate limits, sessions, health) is kept and logged:
 * a truncated sha256 of the token, so a raw token never lands in a map key, a log line or an error.
 */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
