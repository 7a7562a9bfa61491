/**
 * The `switchboard` command. Each sub-command lives in `commands/<name>.ts` and is loaded only
 * when it runs, so `switchboard token list` does not pay for the HTTP server's imports.
 */
import fs from 'node:fs';
import { ConfigError } from '../config/index.ts';
import { CliError, type Command, type CliIO, processIO } from './command.ts';

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the HTTP API (and, with --simulate, a simulated Discord)', load: async () => (await import('./commands/serve.ts')).serve },
  token: { summary: 'create, list and revoke API tokens', load: async () => (await import('./commands/token.ts')).token },
  secret: { summary: 'rotate the key that encrypts Discord tokens at rest', load: async () => (await import('./commands/secret.ts')).secret },
  migrate: { summary: 'apply database migrations and exit', load: async () => (await import('./commands/migrate.ts')).migrate },
  simulator: { summary: 'run the simulated Discord on its own', load: async () => (await import('./commands/simulator.ts')).simulator },
  demo: { summary: "run each bot's demo jobs against a running server", load: async () => (await import('./commands/demo.ts')).demo },
  accounts: { summary: 'list the configured Discord accounts with health and credits', load: async () => (await import('./commands/accounts.ts')).accounts },
  jobs: { summary: 'list recent or active jobs', load: async () => (await import('./commands/jobs.ts')).jobs },
  doctor: { summary: 'check accounts against Discord: token, channel, bot, commands', load: async () => (await import('./commands/doctor.ts')).doctor },
};

/** The version in the package.json next to the sources (no build step, so it is always there). */
export function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: switchboard <command> [options]',
    '       switchboard --version',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'switchboard <command> --help' for a command's options.",
    '',
    'Exit codes: 0 ok, 1 failed (e.g. a demo job), 2 usage error, 3 server unreachable or token',
    'refused (demo), 78 configuration error. Colours only on a terminal and never with NO_COLOR.',
  ].join('\n');
}

/** Runs one CLI invocation and returns the process exit code (0 ok, 1 runtime failure, 2 usage, 3 unreachable, 78 config). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`switchboard ${version()}`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`switchboard: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`switchboard ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      io.err(`switchboard ${name}: configuration error: ${error.message}`);
      return 78; // EX_CONFIG
    }
    io.err(`switchboard ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
