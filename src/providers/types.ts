/**
 * What a bot contributes to switchboard. Everything bot-specific lives in its provider folder;
 * the HTTP layer and the account service only iterate over {@link providers}.
 */
import type { AccountRecord } from '../store/index.ts';

/** The validated fields of a `POST /v1/<bot>/account/<channel>` body. */
export interface AccountFields {
  channel: string;
  server: string | null;
  discord: string;
  maxJobs: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ProviderAccountSpec {
  /** Validates a POST account body in useapi's order, returning its exact 400 message on failure. */
  parse(body: Record<string, unknown>, pathChannel: string): Parsed<AccountFields>;
  /** The account in useapi's response shape; `discord` is the plaintext token, as useapi shows it. */
  render(account: AccountRecord, discord: string): Record<string, unknown>;
}

export interface Provider {
  /** Path segment and `verb` prefix: `/v1/<name>/…`, `<name>-<command>`. */
  readonly name: string;
  readonly account: ProviderAccountSpec;
}
