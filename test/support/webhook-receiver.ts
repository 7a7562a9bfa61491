/** A real HTTP endpoint that records the webhooks it receives; it can go down and come back. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Status answered to each request; default 200. */
  status = 200;
  #server: http.Server | undefined;
  #port = 0;
  #waiters: { count: number; resolve: () => void }[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hook`;
  }

  /** Starts listening (on the same port as before, after a `stop()`). */
  async start(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.statusCode = this.status;
        res.end();
        if (this.status >= 200 && this.status < 300) {
          this.received.push({ headers: req.headers, body });
          this.#waiters = this.#waiters.filter((w) => (this.received.length >= w.count ? (w.resolve(), false) : true));
        }
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` webhooks have been accepted. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}
