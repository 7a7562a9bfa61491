/**
 * The simulated Discord: REST (`/api/v9`, `/api/v10`), Gateway, CDN and the InsightFaceSwap,
 * Pika and Midjourney bots, with a control API for fault injection. Import the simulator only through this file.
 *
 * ```ts
 * const sim = await startSimulator({ seed: 1, heartbeatIntervalMs: 200 });
 * const { user, guildId, channelId } = sim.control.createFaceswapAccount();
 * // point a client at sim.apiUrl / sim.gatewayUrl with user.token …
 * await sim.close();
 * ```
 */
export type {
  SimulatorOptions,
  Simulator,
  SimulatorControl,
  SimUser,
  SimGuild,
  SimChannel,
  FaceswapAccount,
  PikaAccount,
  MidjourneyAccount,
  SimDemoAccount,
  MidjourneyControl,
  MidjourneyUserSettings,
  MidjourneyStyleOptions,
  BotName,
  RestFault,
  RestFaultMatch,
  FaceswapTemplates,
  PikaTemplates,
  ReceivedInteraction,
  RateLimitViolation,
  FaceswapOverlap,
  SimulatorReport,
} from './types.ts';
export { FACESWAP_APPLICATION_ID } from './constants.ts';
/** The bots' default reply templates (override them with `setFaceswapTemplates` / `setPikaTemplates`). */
export { DEFAULT_FACESWAP_STYLE, DEFAULT_FACESWAP_TEMPLATES, MAX_SAVED_IDS } from './bots/faceswap.ts';
export type { FaceswapStyle } from './bots/faceswap.ts';
export { DEFAULT_PIKA_TEMPLATES, PIKA_FONTS } from './bots/pika.ts';
export { MIDJOURNEY_APPLICATION_ID } from './bots/midjourney.ts';
export { startSimulator } from './server.ts';

/**
 * Reply rules for the simulator's own wording, for switchboard processes that talk to it
 * (`serve --simulate`): only the usage figure `[used: U/T]`, which no real bot is known to print.
 */
export const SIMULATOR_BOT_RULES = {
  faceswap: { usage: [String.raw`\[used:\s*(?<used>\d+)\s*/\s*(?<total>\d+)\s*\]`] },
} as const;
