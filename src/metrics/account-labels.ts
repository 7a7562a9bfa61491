/**
 * How accounts are named in `/metrics`. `/metrics` needs no API token (like `/healthz`), so by
 * default it must not list every tenant's account and channel ids: each is replaced by a short
 * keyed hash (HMAC-SHA256 under a random key kept in the store, so every instance on one database
 * prints the same label for the same account, and nobody without the key can test a guess).
 * With `SWITCHBOARD_METRICS_TOKEN` set, `/metrics` requires that token and shows the real ids.
 */
import crypto from 'node:crypto';
import type { MetaStore } from '../store/index.ts';

const KEY_NAME = 'metrics_label_key';

export class AccountLabels {
  #key: Promise<Buffer> | undefined;

  constructor(
    private readonly meta: MetaStore,
    /** Real ids (only behind the metrics token). */
    readonly reveal: boolean,
  ) {}

  /** Label values for an account: its id and its channel, real or opaque. */
  async of(account: { id: string; channel: string }): Promise<{ account: string; channel: string }> {
    if (this.reveal) return { account: account.id, channel: account.channel };
    const key = await this.#keyOnce();
    const hash = (prefix: string, value: string) => `${prefix}${crypto.createHmac('sha256', key).update(value).digest('hex').slice(0, 12)}`;
    return { account: hash('a_', account.id), channel: hash('c_', account.channel) };
  }

  #keyOnce(): Promise<Buffer> {
    this.#key ??= this.meta.setIfAbsent(KEY_NAME, crypto.randomBytes(32).toString('hex')).then((hex) => Buffer.from(hex, 'hex'));
    // A failed read is tried again at the next scrape.
    this.#key.catch(() => (this.#key = undefined));
    return this.#key;
  }
}
