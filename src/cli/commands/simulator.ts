/**
 * `switchboard simulator`: runs the simulated Discord on its own, prints where it listens and a
 * ready demo account per simulated bot, and stops cleanly on SIGINT/SIGTERM.
 */
import { CliError, parseCommandArgs, type CliIO, type Command } from '../command.ts';
import { startSimulator, type SimDemoAccount, type Simulator } from '../../simulator/index.ts';

const HELP = `Usage: switchboard simulator [--port P] [--host H] [--seed N] [--latency MS]

Runs a local Discord (REST, Gateway, CDN and the simulated bots) with a control API.

Options:
  --port P        listen port (default 8090; 0 picks a free one)
  --host H        listen address (default 127.0.0.1)
  --seed N        deterministic ids, tokens and random choices
  --latency MS    bot "thinking" time per step (default 1500; 0 answers at once)
  --heartbeat MS  gateway heartbeat interval (default 41250)
  -h, --help      show this help`;

function integer(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer between ${min} and ${max}`, 2);
  return n;
}

/** Resolves when the process receives SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Creates the demo accounts (one per simulated bot) and prints the simulator's URLs and their
 * credentials. `serve --simulate` reuses it and registers the returned accounts.
 */
export function describeSimulator(sim: Simulator, io: CliIO): SimDemoAccount[] {
  const accounts = sim.control.demoAccounts();
  io.out(`switchboard simulator listening on ${sim.baseUrl}`);
  io.out(`  REST API   ${sim.apiUrl}   (DISCORD_API_URL)`);
  io.out(`  Gateway    ${sim.gatewayUrl}   (DISCORD_GATEWAY_URL, also GET /gateway)`);
  io.out(`  Control    ${sim.controlUrl}   (see docs/simulator.md)`);
  io.out('');
  io.out('Demo accounts:');
  for (const account of accounts) {
    const where = account.guildId === undefined ? `DM channel ${account.channelId}` : `server ${account.guildId}  channel ${account.channelId}`;
    io.out(`  ${account.bot.padEnd(9)} user ${account.user.id}  ${where}  (bot ${account.applicationId})`);
    io.out(`            token ${account.user.token}`);
  }
  return accounts;
}

/** The command body; `stopped` ends the run (SIGINT/SIGTERM by default, a promise in tests). */
export async function runSimulator(argv: string[], io: CliIO, stopped?: Promise<unknown>): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      latency: { type: 'string' },
      heartbeat: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const seed = values.seed === undefined ? undefined : integer('seed', values.seed, 0);
  let sim: Simulator;
  try {
    sim = await startSimulator({
      port: integer('port', values.port, 8090, 0, 65535),
      host: values.host ?? '127.0.0.1',
      botLatencyMs: integer('latency', values.latency, 1500),
      heartbeatIntervalMs: integer('heartbeat', values.heartbeat, 41250, 1),
      ...(seed === undefined ? {} : { seed }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${values.port ?? 8090} is already in use (try --port 0)`);
    throw error;
  }
  // Signal handlers only once running, so a failed start still exits on Ctrl+C as usual.
  const until = stopped ?? untilSignal();
  describeSimulator(sim, io);
  io.out('Press Ctrl+C to stop.');
  await until;
  await sim.close();
  io.out('simulator stopped');
  return 0;
}

export const simulator: Command = (argv, io) => runSimulator(argv, io);
