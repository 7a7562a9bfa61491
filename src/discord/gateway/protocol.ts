/** Gateway wire details: opcodes, the socket slice the session needs, and the connect URL. */
import WebSocket from 'ws';
import { defaultClientProperties } from '../client-properties.ts';

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

export function defaultSocket(url: string): GatewaySocket {
  return new WebSocket(url, { headers: { 'User-Agent': defaultClientProperties.browser_user_agent } }) as unknown as GatewaySocket;
}

/** Appends `v=9&encoding=json` unless the URL already names them. */
export function withGatewayQuery(base: string): string {
  const url = new URL(base);
  if (!url.searchParams.has('v')) url.searchParams.set('v', '9');
  if (!url.searchParams.has('encoding')) url.searchParams.set('encoding', 'json');
  return url.toString();
}
