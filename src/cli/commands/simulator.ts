import { CliError, type Command } from '../command.ts';

/** Placeholder until the simulator lands (issue 3); replaced by src/simulator's entry point. */
export const simulator: Command = async () => {
  throw new CliError('the simulator is not built yet', 1);
};
