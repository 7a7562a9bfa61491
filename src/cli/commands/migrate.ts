/** `switchboard migrate`: apply pending migrations (opening the store does exactly that) and exit. */
import { loadConfig } from '../../config/index.ts';
import { openStore } from '../../store/index.ts';
import { parseCommandArgs, type Command } from '../command.ts';

export const migrate: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, { options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out('Usage: switchboard migrate\n\nApplies every pending database migration to the configured store and exits.');
    return 0;
  }
  const store = await openStore(loadConfig());
  await store.close();
  io.out(`migrations applied (${store.description})`);
  return 0;
};
