/**
 * `switchboard simulator`: runs the simulated Discord on its own, prints where it listens and two
 * ready demo accounts, and stops cleanly on SIGINT/SIGTERM.
 */
import { CliError, parseCommandArgs, type CliIO, type Command } from '../command.ts';
import { startSimulator, FACESWAP_APPLICATION_ID, type FaceswapAccount, type MidjourneyAccount, type PikaAccount, type Simulator } from '../../simulator/index.ts';

const HELP = `Usage: switchboard simulator [--port P] [--host H] [--seed N] [--latency MS]

Runs a local Discord (REST, Gateway, CDN, InsightFaceSwap and Pika bots) with a control API.

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
 * Creates the two demo accounts and prints the simulator's URLs and their credentials.
 * `serve --simulate` can reuse it and register the returned accounts.
 */
export function describeSimulator(sim: Simulator, io: CliIO): { faceswap: FaceswapAccount; pika: PikaAccount; midjourney: MidjourneyAccount } {
  const faceswap = sim.control.createFaceswapAccount({ username: 'faceswap-demo' });
  const pika = sim.control.createPikaAccount({ username: 'pika-demo' });
  const midjourney = sim.control.midjourney.createAccount({ username: 'midjourney-demo' });
  io.out(`switchboard simulator listening on ${sim.baseUrl}`);
  io.out(`  REST API   ${sim.apiUrl}   (DISCORD_API_URL)`);
  io.out(`  Gateway    ${sim.gatewayUrl}   (DISCORD_GATEWAY_URL, also GET /gateway)`);
  io.out(`  Control    ${sim.controlUrl}   (see docs/simulator.md)`);
  io.out('');
  io.out('Demo accounts:');
  io.out(`  faceswap  user ${faceswap.user.id}  server ${faceswap.guildId}  channel ${faceswap.channelId}  (bot ${FACESWAP_APPLICATION_ID})`);
  io.out(`            token ${faceswap.user.token}`);
  io.out(`  pika      user ${pika.user.id}  DM channel ${pika.channelId}  (bot ${pika.applicationId})`);
  io.out(`            token ${pika.user.token}`);
  io.out(`  midjourney user ${midjourney.user.id}  DM channel ${midjourney.channelId}  (bot ${midjourney.applicationId})`);
  io.out(`            token ${midjourney.user.token}`);
  return { faceswap, pika, midjourney };
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
