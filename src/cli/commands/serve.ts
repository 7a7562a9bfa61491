/**
 * `switchboard serve`: open the store, make sure a token exists, serve the API until a signal.
 * With `--simulate` it first starts the simulated Discord in-process and serves a demo world
 * against it (see `../simulate.ts` for what that keeps between runs and why).
 */
import fs from 'node:fs';
import path from 'node:path';
import { issueApiToken } from '../../auth/index.ts';
import { openServices, type Services } from '../../bootstrap/index.ts';
import { loadConfig, parsePort } from '../../config/index.ts';
import { buildApp } from '../../http/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';
import { SIMULATE_DATA_DIR, setUpDemo, simulatedEnv, type DemoSetup } from '../simulate.ts';
import { ServeLock } from '../serve-lock.ts';
import type { Simulator } from '../../simulator/index.ts';

const HELP = `Usage: switchboard serve [--port N] [--host H] [--data-dir DIR] [--simulate [--latency MS]]

Runs the HTTP API (and the dashboard at /dashboard). Settings come from the environment (PORT,
HOST, SWITCHBOARD_DATA_DIR, DATABASE_URL, SWITCHBOARD_SECRET, …; see the README); flags override
them. When the store holds no API token yet, one is created and printed once on a terminal, or
written to <data dir>/first-api-token.txt (mode 0600) when standard output is not a terminal.

Options:
  --port N        listen port (default 8080; 0 picks a free one)
  --host H        listen address (default 127.0.0.1)
  --data-dir DIR  folder of the embedded database and key file (default ./data)
  --simulate      also start a simulated Discord with its bots, and a demo token with one
                  account of each bot. Uses its own embedded store
                  (default ${SIMULATE_DATA_DIR}; DATABASE_URL and SWITCHBOARD_DATA_DIR are ignored),
                  keeps the demo token across runs and replaces the demo accounts on each run.
  --latency MS    with --simulate: the bots' thinking time per step (default 1500, at most 2500)
  -h, --help      show this help

Then try:  npx switchboard demo`;

/** Where the first API token goes when standard output is not a terminal. */
const FIRST_TOKEN_FILE = 'first-api-token.txt';

/** Simulated bots must answer within Discord's 3 s interaction window; leave them some margin. */
const MAX_LATENCY_MS = 2500;

function latencyOf(raw: string | undefined): number {
  if (raw === undefined) return 1500;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_LATENCY_MS) throw new CliError(`--latency must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`, 2);
  return n;
}

export const serve: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      simulate: { type: 'boolean' },
      latency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.latency !== undefined && !values.simulate) throw new CliError('--latency only applies with --simulate', 2);
  const latency = latencyOf(values.latency);
  const overrides = {
    ...(values.port !== undefined ? { port: parsePort(values.port, '--port') } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : values.simulate ? { dataDir: SIMULATE_DATA_DIR } : {}),
  };
  // Fail on a bad setting before anything starts.
  const checked = loadConfig(process.env, overrides);
  // One server per simulate data directory: a second one would replace the first one's demo accounts.
  const lock = values.simulate ? ServeLock.acquire(checked.dataDir) : undefined;

  let sim: Simulator | undefined;
  let services: Services | undefined;
  let demo: DemoSetup | undefined;
  try {
    if (values.simulate) {
      const { startSimulator } = await import('../../simulator/index.ts');
      sim = await startSimulator({ botLatencyMs: latency });
    }
    const config = loadConfig(sim ? simulatedEnv(process.env, sim) : process.env, overrides);
    // The simulator prints its own usage figure (`[used: U/T]`); it is read only in simulate mode,
    // as a rule an operator's SWITCHBOARD_BOT_RULES file replaces. Production never relies on it.
    services = await openServices(config, sim ? { fallbackBotRules: (await import('../../simulator/index.ts')).SIMULATOR_BOT_RULES } : {});
    if (sim) {
      demo = await setUpDemo(services, sim, io);
    } else if ((await services.store.tenants.countActive()) === 0) {
      const { token, tenant } = await issueApiToken(services.store, 'default');
      if (io.isTTY) {
        io.out(`No API token existed, so one was created for tenant '${tenant.name}'. It is shown only this once:`);
        io.out(token);
      } else {
        // Standard output is a pipe (a container log, a log collector): the token must not land there.
        const file = path.join(services.config.dataDir, FIRST_TOKEN_FILE);
        fs.mkdirSync(services.config.dataDir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'w' });
        fs.chmodSync(file, 0o600);
        io.out(`No API token existed, so one was created for tenant '${tenant.name}' and written to ${file} (mode 0600). Read it, store it, delete the file.`);
      }
    }
  } catch (error) {
    await services?.close();
    await sim?.close();
    lock?.release();
    throw error;
  }

  const { config } = services;
  const app = await buildApp(services);
  await services.start();
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await services.close();
    await sim?.close();
    lock?.release();
    throw new CliError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  lock?.listening(base);
  io.out(`switchboard listening on ${base} (store: ${services.store.description})`);
  io.out(`Dashboard: ${base}/dashboard`);
  if (demo) {
    const defaultDir = path.resolve(SIMULATE_DATA_DIR) === config.dataDir;
    // From the same folder, demo finds this server and its token in the simulate data dir by itself.
    io.out(`Run the demo in another terminal:  npx switchboard demo${defaultDir ? '' : ` --url ${base} --token ${demo.token}`}`);
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.out(`received ${signal}, shutting down`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Blocking calls answer now with their job as it stands; close() then stops accepting
  // connections and waits for in-flight requests to finish.
  services.jobs.stopWaiting();
  await app.close();
  await services.close();
  await sim?.close();
  lock?.release();
  return 0;
};
