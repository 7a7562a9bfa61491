/** `switchboard serve`: open the store, make sure a token exists, serve the API until a signal. */
import { issueApiToken } from '../../auth/index.ts';
import { openServices } from '../../bootstrap/index.ts';
import { loadConfig, parsePort } from '../../config/index.ts';
import { buildApp } from '../../http/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';

const HELP = `Usage: switchboard serve [--port N] [--host H] [--data-dir DIR]

Runs the HTTP API. Settings come from the environment (PORT, HOST, SWITCHBOARD_DATA_DIR,
DATABASE_URL, SWITCHBOARD_SECRET, …; see the README); flags override them.
When the store holds no API token yet, one is created and printed once.`;

export const serve: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const config = loadConfig(process.env, {
    ...(values.port !== undefined ? { port: parsePort(values.port, '--port') } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
  });

  const services = await openServices(config);
  if ((await services.store.tenants.countActive()) === 0) {
    const { token, tenant } = await issueApiToken(services.store, 'default');
    io.out(`No API token existed, so one was created for tenant '${tenant.name}'. It is shown only this once:`);
    io.out(token);
  }

  const app = await buildApp(services);
  await services.start();
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await services.close();
    throw new CliError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  io.out(`switchboard listening on http://${config.host}:${port} (store: ${services.store.description})`);

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
  return 0;
};
