/** Gateway wire details: opcodes, the socket slice the session needs, and the connect URL. */
import WebSocket from 'ws';
import { EventEmitter } from 'node:events';
import type { Agent } from 'node:http';
import { ClientIdentity } from '../client-properties.ts';

export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** The slice of a WebSocket the session uses (the `ws` package's WebSocket fits; tests pass fakes). */
export interface GatewaySocket {
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
}

/**
 * A `ws` WebSocket carrying the browser's upgrade headers (`Origin`, `User-Agent`,
 * `Accept-Language`…, from the account's {@link ClientIdentity}) through the account's transport
 * (`agent`: its proxy, when it has one).
 */
export function defaultSocket(url: string, options: { headers?: Record<string, string>; agent?: Agent } = {}): GatewaySocket {
  const headers = options.headers ?? new ClientIdentity().gatewayHeaders();
  // `ws` sends `Origin` from its own option, not from `headers`.
  const { Origin: origin, ...rest } = headers;
  return new WebSocket(url, {
    headers: rest,
    ...(origin ? { origin } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    // Browsers offer permessage-deflate too; Discord's web client asks for zlib-stream at the
    // payload level instead, which the simulator does not speak, so the extension stays off.
    perMessageDeflate: false,
  }) as unknown as GatewaySocket;
}

/** Appends `v=9&encoding=json` unless the URL already names them. */
export function withGatewayQuery(base: string): string {
  const url = new URL(base);
  if (!url.searchParams.has('v')) url.searchParams.set('v', '9');
  if (!url.searchParams.has('encoding')) url.searchParams.set('encoding', 'json');
  return url.toString();
}

/**
 * A socket that exists at once but connects when `pending` resolves (a transport that loads its
 * proxy agent first). Events are forwarded; a close asked for meanwhile is carried out on arrival;
 * a failure to get the socket is an `error` followed by `close` 1006, like a refused connection.
 */
export function deferredSocket(pending: Promise<GatewaySocket>): GatewaySocket {
  const events = new EventEmitter();
  let socket: GatewaySocket | undefined;
  let closeWith: number | 'terminate' | undefined;
  let done = false;
  pending.then(
    (s) => {
      if (done) return void s.terminate();
      socket = s;
      s.on('message', (data) => events.emit('message', data));
      s.on('close', (code) => events.emit('close', code));
      s.on('error', (error) => events.emit('error', error));
      if (closeWith === 'terminate') s.terminate();
      else if (closeWith !== undefined) s.close(closeWith);
    },
    (error: unknown) => {
      events.emit('error', error instanceof Error ? error : new Error(String(error)));
      events.emit('close', 1006);
    },
  );
  return {
    send: (data) => socket?.send(data),
    close: (code) => (socket ? socket.close(code) : void (closeWith = code ?? 1000)),
    terminate: () => {
      if (socket) socket.terminate();
      else {
        closeWith = 'terminate';
        done = true;
      }
    },
    on: ((event: string, listener: (...args: any[]) => void) => events.on(event, listener)) as GatewaySocket['on'],
    removeAllListeners: () => events.removeAllListeners(),
  };
}
