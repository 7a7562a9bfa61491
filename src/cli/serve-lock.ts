/**
 * The simulate data directory's owner file, `<data dir>/serve.json`: `{ pid, url }` of the
 * `serve --simulate` process using it. It does two jobs:
 *
 * - a lock: a second `serve --simulate` on the same directory would replace the first one's demo
 *   accounts with its own (each run's simulated Discord is new), so both would fight over them.
 *   The file is created exclusively (`wx`); a file whose process is gone is stale and taken over.
 * - discovery: once listening, the URL is written into it, so `switchboard demo` finds the server
 *   by itself (it already finds the demo token next to it) instead of assuming port 8080.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './command.ts';

export const SERVE_FILE = 'serve.json';

export interface ServeInfo {
  pid: number;
  url?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(file: string): ServeInfo | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServeInfo>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** The live server recorded in `dataDir`, if any (for `switchboard demo`). */
export function runningServe(dataDir: string): ServeInfo | undefined {
  const info = read(path.join(dataDir, SERVE_FILE));
  return info && alive(info.pid) ? info : undefined;
}

export class ServeLock {
  private constructor(private readonly file: string) {}

  /** Takes the directory for this process, or throws a {@link CliError} naming the process that holds it. */
  static acquire(dataDir: string): ServeLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, SERVE_FILE);
    for (let tries = 0; tries < 3; tries++) {
      try {
        fs.writeFileSync(file, `${JSON.stringify({ pid: process.pid })}\n`, { flag: 'wx', mode: 0o600 });
        return new ServeLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = read(file);
      if (holder && holder.pid !== process.pid && alive(holder.pid)) {
        throw new CliError(
          `${dataDir} is already used by another 'switchboard serve --simulate' (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}). ` +
            `Two servers on one simulate data directory would replace each other's demo accounts. Stop that one, use it (npx switchboard demo finds it), or give this one its own --data-dir.`,
          1,
        );
      }
      // Stale (its process is gone) or unreadable (a crash mid-write): take it over.
      fs.rmSync(file, { force: true });
    }
    throw new CliError(`could not take ${file}: another process keeps recreating it`, 1);
  }

  /** Records where this server listens. */
  listening(url: string): void {
    fs.writeFileSync(this.file, `${JSON.stringify({ pid: process.pid, url })}\n`, { mode: 0o600 });
  }

  release(): void {
    if (read(this.file)?.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}
