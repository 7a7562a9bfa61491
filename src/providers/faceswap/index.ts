/** InsightFaceSwap (Picsi.Ai): guild text channels, one command at a time per channel. */
import type { Provider } from '../types.ts';
import { faceswapDiscordCommands } from './discord-commands.ts';
import { faceswapAccount } from './account.ts';
import { faceswapCommands } from './commands.ts';
import { faceswapEligible } from './credits.ts';
import { faceswapDemo } from './demo.ts';
import { faceswapCredits, faceswapRuleBook, interpretFaceswap } from './replies.ts';

/** The bot's public application id (its invite link and setup guides name it). */
export const FACESWAP_APPLICATION_ID = '1090660574196674713';

export const faceswap: Provider = {
  name: 'faceswap',
  title: 'InsightFaceSwap',
  discordCommands: faceswapDiscordCommands,
  account: faceswapAccount,
  commands: faceswapCommands,
  location: 'guild',
  applicationId: FACESWAP_APPLICATION_ID,
  // useapi's rule, and the only way replies stay unambiguous: one command per channel at a time.
  capacity: () => 1,
  interpret: interpretFaceswap,
  rules: faceswapRuleBook,
  credits: faceswapCredits,
  eligible: faceswapEligible,
  renderExtras: () => ({}),
  demo: faceswapDemo,
};
