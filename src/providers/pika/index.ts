/** Pika: the DM channel with Pika Bot, up to `maxJobs` generations at once per account. */
import type { Provider } from '../types.ts';
import { pikaDiscordCommands } from './discord-commands.ts';
import { pikaAccount } from './account.ts';
import { pikaCommands } from './commands.ts';
import { pikaDemo } from './demo.ts';
import { MAX_CONCURRENT_JOBS, parseMaxJobs } from './max-jobs.ts';
import { buttonName, interpretPika, pikaRuleBook } from './replies.ts';

/**
 * What an operator is told when the DM has no Pika commands: the bot is gone (useapi.net marks
 * its Pika API decommissioned, December 2025 — `real-world.md` §3). switchboard keeps the API for
 * the simulator and as the model of an asynchronous, capacity-limited bot.
 */
export const PIKA_RETIRED =
  "Pika's Discord bot was retired in December 2025 (useapi.net decommissioned its Pika API): this DM channel has no Pika commands, so no Pika job can run here. switchboard's Pika API works only against the simulator (switchboard serve --simulate).";

export const pika: Provider = {
  name: 'pika',
  title: 'Pika',
  discordCommands: pikaDiscordCommands,
  account: pikaAccount,
  commands: pikaCommands,
  // Pika's application id is not public: it is read from the DM channel's command index.
  location: 'dm',
  capacity: (account) => account.maxJobs ?? MAX_CONCURRENT_JOBS,
  bringYourOwnAccount: true,
  parseMaxJobs,
  buttonName,
  interpret: interpretPika,
  rules: pikaRuleBook,
  missingBotExplanation: PIKA_RETIRED,
  renderExtras: (job) => ({ maxJobs: job.maxJobs ?? MAX_CONCURRENT_JOBS }),
  demo: pikaDemo,
};
