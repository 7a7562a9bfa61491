/**
 * LISTEN/NOTIFY across instances. One dedicated connection listens; publishing goes through the
 * pool. Topics are namespaced by schema, so instances on different schemas of one database do
 * not hear each other. A lost listener reconnects by itself; nothing depends on it for
 * correctness (the rows are polled anyway).
 *
 * Two economies, since every NOTIFY is a statement: notifications published while another
 * publish is on its way go out together in ONE statement (`pg_notify` over `unnest` of the
 * batch), and each payload carries its sender's id, so an instance does not act on its own
 * notifications (it has already told its own listeners in-process).
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { StoreNotifications } from '../types.ts';

/** `<sender> <payload>`: a 16-hex-digit sender id, a space, the payload. */
const SENT = /^([0-9a-f]{16}) ([\s\S]*)$/;

interface Pending {
  channel: string;
  payload: string;
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

export class PostgresNotifications implements StoreNotifications {
  readonly #handlers = new Map<string, Set<(payload: string) => void>>();
  /** Identifies this instance's notifications, so that it ignores them when they come back. */
  readonly #sender = crypto.randomBytes(8).toString('hex');
  /** Notifications waiting for the publish in flight to finish; keyed by channel and payload (duplicates go once). */
  #pending = new Map<string, Pending>();
  #flushing = false;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client | undefined> | undefined;
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly namespace: string,
  ) {}

  #channel(topic: string): string {
    return `${this.namespace}_${topic}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
  }

  publish(topic: string, payload: string): Promise<void> {
    const channel = this.#channel(topic);
    const key = `${channel}\n${payload}`;
    return new Promise<void>((resolve, reject) => {
      let entry = this.#pending.get(key);
      if (!entry) this.#pending.set(key, (entry = { channel, payload, settle: [] }));
      entry.settle.push({ resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  /** Sends everything pending in one statement; what arrives meanwhile goes in the next one. */
  async #flush(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = [...this.#pending.values()];
      this.#pending = new Map();
      try {
        await this.pool.query('select pg_notify(c, p) from unnest($1::text[], $2::text[]) as n(c, p)', [batch.map((n) => n.channel), batch.map((n) => `${this.#sender} ${n.payload}`)]);
        for (const n of batch) for (const s of n.settle) s.resolve();
      } catch (error) {
        for (const n of batch) for (const s of n.settle) s.reject(error);
      }
    }
    this.#flushing = false;
  }

  /** The payload of another instance's notification, or undefined for this instance's own. */
  #received(raw: string): string | undefined {
    const sent = SENT.exec(raw);
    if (!sent) return raw; // not from a batching sender: deliver as it is
    return sent[1] === this.#sender ? undefined : sent[2]!;
  }

  async subscribe(topic: string, handler: (payload: string) => void): Promise<void> {
    const channel = this.#channel(topic);
    let handlers = this.#handlers.get(channel);
    if (!handlers) this.#handlers.set(channel, (handlers = new Set()));
    handlers.add(handler);
    const client = await this.#connect();
    await client?.query(`LISTEN "${channel}"`);
  }

  #connect(): Promise<pg.Client | undefined> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const client = new pg.Client(this.clientConfig);
      client.on('notification', (message) => {
        const payload = this.#received(message.payload ?? '');
        if (payload === undefined) return;
        for (const handler of this.#handlers.get(message.channel) ?? []) handler(payload);
      });
      client.on('error', () => this.#lost(client));
      client.on('end', () => this.#lost(client));
      try {
        await client.connect();
        for (const channel of this.#handlers.keys()) await client.query(`LISTEN "${channel}"`);
        this.#client = client;
        return client;
      } catch {
        this.#retryLater();
        return undefined;
      } finally {
        this.#connecting = undefined;
      }
    })();
    return this.#connecting;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#retryLater();
  }

  #retryLater(): void {
    if (this.#closed) return;
    setTimeout(() => void this.#connect(), 1000).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
