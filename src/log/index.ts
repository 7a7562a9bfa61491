/**
 * One pino logger per process, shared by the HTTP server and the background loops. Secrets are
 * redacted by path before a line is written; the code never logs tokens in the first place.
 */
import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.ts';

export type { Logger } from 'pino';

/** Headers and fields that may carry secrets. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.discord', '*.token', '*.discordToken'];

export function createLogger(level: Config['logLevel'], stream?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return stream ? pino(options, stream as pino.DestinationStream) : pino(options);
}
