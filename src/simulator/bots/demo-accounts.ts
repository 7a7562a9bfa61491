/**
 * The simulator's ready-made demo accounts: one per simulated bot, in this order. `switchboard
 * simulator` prints them and `serve --simulate` configures one switchboard account on each, so
 * neither names a bot; a new simulated bot adds its line here.
 */
import { FACESWAP_APPLICATION_ID } from '../constants.ts';
import type { BotName, SimDemoAccount, SimulatorControl } from '../types.ts';

type Creator = (control: SimulatorControl, options: { username: string }) => Omit<SimDemoAccount, 'bot'>;

export const DEMO_ACCOUNT_CREATORS: readonly { bot: BotName; create: Creator }[] = [
  // InsightFaceSwap's application id is public and fixed, so its account shape does not carry it.
  { bot: 'faceswap', create: (control, options) => ({ ...control.createFaceswapAccount(options), applicationId: FACESWAP_APPLICATION_ID }) },
  { bot: 'pika', create: (control, options) => control.createPikaAccount(options) },
  { bot: 'midjourney', create: (control, options) => control.midjourney.createAccount(options) },
];
