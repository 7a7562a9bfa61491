/** The simulate data directory's owner file: one live server per folder, stale files taken over. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runningServe, SERVE_FILE, ServeLock } from '../../src/cli/serve-lock.ts';

describe('ServeLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records the URL for switchboard demo and removes the file on release', () => {
    const lock = ServeLock.acquire(dir);
    expect(runningServe(dir)).toEqual({ pid: process.pid });
    lock.listening('http://127.0.0.1:1234');
    expect(runningServe(dir)).toEqual({ pid: process.pid, url: 'http://127.0.0.1:1234' });
    expect(fs.statSync(path.join(dir, SERVE_FILE)).mode & 0o077).toBe(0);
    lock.release();
    expect(fs.existsSync(path.join(dir, SERVE_FILE))).toBe(false);
    expect(runningServe(dir)).toBeUndefined();
  });

  it('refuses while another live process holds the folder, naming it', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, SERVE_FILE), JSON.stringify({ pid: other.pid, url: 'http://127.0.0.1:9999' }));
      expect(() => ServeLock.acquire(dir)).toThrow(`already used by another 'switchboard serve --simulate' (pid ${other.pid}, http://127.0.0.1:9999)`);
      expect(runningServe(dir)?.url).toBe('http://127.0.0.1:9999');
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
  });

  it('takes over a file left by a process that is gone, or a half-written one', async () => {
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    fs.writeFileSync(path.join(dir, SERVE_FILE), JSON.stringify({ pid: gone.pid, url: 'http://127.0.0.1:9999' }));
    expect(runningServe(dir)).toBeUndefined();
    ServeLock.acquire(dir).release();
    fs.writeFileSync(path.join(dir, SERVE_FILE), '{"pid":');
    const lock = ServeLock.acquire(dir);
    expect(runningServe(dir)).toEqual({ pid: process.pid });
    lock.release();
  });
});
