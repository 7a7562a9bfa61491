import type { Simulator, SimulatorOptions } from './types.ts';

/** Starts a simulator listening on `options.host`:`options.port` (default 127.0.0.1:0). */
export async function startSimulator(_options: SimulatorOptions = {}): Promise<Simulator> {
  throw new Error('simulator: work in progress');
}
