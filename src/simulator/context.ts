/** Everything the route modules, the gateway and the control surface share. */
import type { Cdn } from './cdn.ts';
import type { FaultQueue } from './faults.ts';
import type { FingerprintJudge } from './fingerprint.ts';
import type { GatewayServer } from './gateway/server.ts';
import type { InteractionEngine } from './interactions.ts';
import type { Messages } from './messages.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { World } from './state.ts';
import type { FaceswapBot } from './bots/faceswap.ts';
import type { PikaBot } from './bots/pika.ts';
import type { MidjourneyBot } from './bots/midjourney.ts';

export interface SimContext {
  world: World;
  cdn: Cdn;
  messages: Messages;
  engine: InteractionEngine;
  limiter: RateLimiter;
  faults: FaultQueue;
  fingerprint: FingerprintJudge;
  gateway: GatewayServer;
  faceswap: FaceswapBot;
  pika: PikaBot;
  midjourney: MidjourneyBot;
  /** Filled in after listen. */
  urls: { base: string; gateway: string };
}
