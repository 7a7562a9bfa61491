/**
 * Table shapes as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
 * Times are epoch milliseconds in BIGINT columns so that both dialects compare them natively.
 */
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  tokenHash: string;
  /** First characters of the token, shown by `token list` so an operator can tell tokens apart. */
  tokenHint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface AccountsTable {
  id: string;
  tenantId: string;
  bot: string;
  channel: string;
  server: string | null;
  /** AES-256-GCM ciphertext of the Discord token (see src/secrets). */
  discordToken: string;
  /** Keyed HMAC of the token: finds duplicates without decrypting anything. */
  discordFingerprint: string;
  maxJobs: number | null;
  creditsTotal: number | null;
  creditsUsed: number | null;
  creditsTimestamp: string | null;
  healthState: Generated<string>;
  healthReason: string | null;
  healthSince: number | null;
  healthUntil: number | null;
  nextProbeAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  tenants: TenantsTable;
  accounts: AccountsTable;
  switchboardMeta: MetaTable;
}
