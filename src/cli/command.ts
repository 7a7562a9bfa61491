/** Shared shape of a CLI sub-command and the small helpers every command uses. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { colorEnabled } from './style.ts';

/** Where a command writes; tests pass their own to capture output. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Standard output is a terminal: a status line may be rewritten in place with {@link write}. */
  readonly isTTY?: boolean;
  /** Colours are welcome on standard output (a TTY, and no NO_COLOR). */
  readonly color?: boolean;
  /** Writes without a newline (status lines on a TTY). */
  write?(text: string): void;
}

export const processIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stdout.isTTY === true,
  color: colorEnabled(process.stdout, process.env),
  write: (text) => process.stdout.write(text),
};

/** A sub-command: receives the arguments after its name, resolves to an exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** An expected failure with a message for the operator (no stack trace). Exit code 2 = usage. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** `parseArgs` that turns its exceptions into usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(argv: string[], config: T) {
  try {
    return parseArgs({ ...config, args: argv, strict: true });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), 2);
  }
}
