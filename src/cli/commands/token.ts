/** `switchboard token create|list|revoke`: manage API tokens (one tenant each). */
import { issueApiToken } from '../../auth/index.ts';
import { loadConfig } from '../../config/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { CliError, parseCommandArgs, type CliIO, type Command } from '../command.ts';

const HELP = `Usage:
  switchboard token create --name NAME   create a token; the token is the last line printed
  switchboard token list                 list tokens (id, name, created, status; never the token)
  switchboard token revoke ID_OR_NAME    revoke a token; its tenant's requests get 401 from then on`;

export const token: Command = async (argv, io) => {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    io.out(HELP);
    return action === undefined ? 2 : 0;
  }
  const run = actions[action];
  if (!run) throw new CliError(`unknown action '${action}'\n\n${HELP}`, 2);
  const { values, positionals } = parseCommandArgs(rest, {
    options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const store = await openStore(loadConfig());
  try {
    return await run(store, { name: values.name, positionals }, io);
  } finally {
    await store.close();
  }
};

type Action = (store: Store, args: { name: string | undefined; positionals: string[] }, io: CliIO) => Promise<number>;

const actions: Record<string, Action> = {
  async create(store, { name }, io) {
    if (name === undefined || name.trim() === '') throw new CliError('token create needs --name NAME', 2);
    const issued = await issueApiToken(store, name).catch((error: Error) => {
      throw new CliError(error.message, 2);
    });
    io.out(`Created token ${issued.tenant.id} for '${issued.tenant.name}'. Store it now: it cannot be shown again.`);
    io.out(issued.token);
    return 0;
  },

  async list(store, _args, io) {
    const tenants = await store.tenants.list();
    if (tenants.length === 0) {
      io.out('no tokens');
      return 0;
    }
    const rows = tenants.map((t) => [t.id, t.name, t.tokenHint, new Date(t.createdAt).toISOString(), t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : 'active']);
    const header = ['ID', 'NAME', 'TOKEN', 'CREATED', 'STATUS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) io.out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    return 0;
  },

  async revoke(store, { positionals }, io) {
    const [target] = positionals;
    if (target === undefined) throw new CliError('token revoke needs the id or name of a token', 2);
    const revoked = await store.tenants.revoke(target, Date.now());
    if (revoked.length === 0) throw new CliError(`no active token with id or name '${target}'`);
    for (const tenant of revoked) io.out(`revoked ${tenant.id} (${tenant.name})`);
    return 0;
  },
};
