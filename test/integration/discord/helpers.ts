import { startSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.ts';
import { DiscordAccountClient, type DiscordAccountClientOptions, type DiscordMessage } from '../../../src/discord/index.ts';

/** A 1×1 PNG: enough for the simulated bots, which do not look at pixels. */
export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 7, heartbeatIntervalMs: 250, ...options });
}

/** A client tuned for tests: short backoffs, no artificial pacing, gateway URL from `GET /gateway`. */
export function accountClient(sim: Simulator, token: string, extra: Partial<DiscordAccountClientOptions> = {}): DiscordAccountClient {
  return new DiscordAccountClient({
    token,
    apiUrl: sim.apiUrl,
    rest: { minIntervalMs: 2, routeIntervalsMs: {}, retryBaseMs: 20 },
    gateway: { backoff: { baseMs: 20, maxMs: 200, longMs: 60 }, invalidSessionDelayMs: { min: 10, max: 30 }, handshakeTimeoutMs: 5000 },
    ...extra,
  });
}

export const hasAttachment = (m: DiscordMessage): boolean => (m.attachments?.length ?? 0) > 0;

/** Resolves with the first emission of `event` that satisfies `predicate`. */
export function nextEvent<T extends unknown[]>(
  on: (listener: (...args: T) => void) => () => void,
  predicate: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve) => {
    const off = on((...args) => {
      if (predicate(...args)) {
        off();
        resolve(args);
      }
    });
  });
}
