/**
 * For tests that start real `switchboard serve` processes and kill them: a simulated Discord and a
 * private data dir per test. `serve()` starts a process on them (the same data dir each time, so a
 * restart finds the jobs its predecessor left); whichever process is still running at the end of a
 * test is SIGKILLed, then the simulator closes and the data dir goes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startServe, type ServeProcess } from './cli.ts';

export interface KillableServe {
  readonly sim: Simulator;
  serve(): Promise<ServeProcess>;
}

export function useKillableServe(prefix: string): KillableServe {
  let sim: Simulator | undefined;
  let dataDir = '';
  let running: ServeProcess | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ heartbeatIntervalMs: 1000, botLatencyMs: 300 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    await sim?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get sim() {
      if (!sim) throw new Error('useKillableServe: the simulator runs only inside a test');
      return sim;
    },
    async serve() {
      running = await startServe({ SWITCHBOARD_DATA_DIR: dataDir, DISCORD_API_URL: sim!.apiUrl, DISCORD_GATEWAY_URL: sim!.gatewayUrl, SWITCHBOARD_SECRET: 'crash-test-secret-value' });
      return running;
    },
  };
}
