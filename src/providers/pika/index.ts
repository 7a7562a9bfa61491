/** Pika: the DM channel with Pika Bot, up to `maxJobs` generations at once per account. */
import type { Provider } from '../types.ts';
import { pikaAccount } from './account.ts';
import { MAX_CONCURRENT_JOBS } from './max-jobs.ts';

export const pika: Provider = {
  name: 'pika',
  account: pikaAccount,
  // The generation endpoints arrive with the Pika work (issue 6).
  commands: [],
  location: 'dm',
  capacity: (account) => account.maxJobs ?? MAX_CONCURRENT_JOBS,
  interpret: () => ({ kind: 'ignore' }),
  renderExtras: (job) => ({ maxJobs: job.maxJobs ?? MAX_CONCURRENT_JOBS }),
};
