/**
 * LISTEN/NOTIFY across instances. One dedicated connection listens; publishing goes through the
 * pool. Topics are namespaced by schema, so instances on different schemas of one database do
 * not hear each other. A lost listener reconnects by itself; nothing depends on it for
 * correctness (the rows are polled anyway).
 */
import pg from 'pg';
import type { StoreNotifications } from '../types.ts';

export class PostgresNotifications implements StoreNotifications {
  readonly #handlers = new Map<string, Set<(payload: string) => void>>();
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

  async publish(topic: string, payload: string): Promise<void> {
    await this.pool.query('select pg_notify($1, $2)', [this.#channel(topic), payload]);
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
        for (const handler of this.#handlers.get(message.channel) ?? []) handler(message.payload ?? '');
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
