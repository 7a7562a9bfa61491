/** Pika: the DM channel with Pika Bot, up to `maxJobs` generations at once per account. */
import type { Provider } from '../types.ts';
import { pikaAccount } from './account.ts';
import { pikaCommands } from './commands.ts';
import { MAX_CONCURRENT_JOBS, parseMaxJobs } from './max-jobs.ts';
import { buttonName, interpretPika } from './replies.ts';

export const pika: Provider = {
  name: 'pika',
  title: 'Pika',
  account: pikaAccount,
  commands: pikaCommands,
  // Pika's application id is not public: it is read from the DM channel's command index.
  location: 'dm',
  capacity: (account) => account.maxJobs ?? MAX_CONCURRENT_JOBS,
  bringYourOwnAccount: true,
  parseMaxJobs,
  buttonName,
  interpret: interpretPika,
  renderExtras: (job) => ({ maxJobs: job.maxJobs ?? MAX_CONCURRENT_JOBS }),
};
