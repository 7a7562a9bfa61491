/**
 * `switchboard accounts`: the configured Discord accounts of every tenant (or one), read from the
 * store, with health, credits and slot use. Discord tokens are never read out of their ciphertext.
 */
import { loadConfig } from '../../config/index.ts';
import { accountView } from '../../dashboard/index.ts';
import { providers } from '../../providers/index.ts';
import { openStore } from '../../store/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';
import { createStyle, paintState, table } from '../style.ts';

const HELP = `Usage: switchboard accounts [--tenant ID_OR_NAME] [--bot BOT] [--json]

Lists the Discord accounts configured in the store (the one serve uses: SWITCHBOARD_DATA_DIR or
DATABASE_URL), per tenant and bot, with health state and reason, credits and slots in use.
Discord tokens are never shown.

Options:
  --tenant T   only the tenant with this id or token name
  --bot BOT    only that bot's accounts (${providers.map((p) => p.name).join(', ')})
  --json       one JSON document instead of a table
  --data-dir D the embedded store in folder D (default SWITCHBOARD_DATA_DIR or ./data;
               ./data-simulate after serve --simulate)
  -h, --help   show this help`;

export const accounts: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: { tenant: { type: 'string' }, bot: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const bots = providers.filter((p) => values.bot === undefined || p.name === values.bot);
  if (bots.length === 0) throw new CliError(`--bot must be one of ${providers.map((p) => p.name).join(', ')}`, 2);
  const store = await openStore(loadConfig(process.env, values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}));
  try {
    const tenants = (await store.tenants.list()).filter((t) => values.tenant === undefined || t.id === values.tenant || t.name === values.tenant);
    if (values.tenant !== undefined && tenants.length === 0) throw new CliError(`no tenant with id or name '${values.tenant}'`);
    const rows = [];
    for (const tenant of tenants) {
      for (const provider of bots) {
        const list = await store.accounts.list(tenant.id, provider.name);
        const busy = await store.jobs.listActiveForAccounts(list.map((a) => a.id));
        for (const account of list) rows.push({ tenant, view: accountView(account, provider, busy.filter((j) => j.accountId === account.id)) });
      }
    }
    if (values.json) {
      io.out(JSON.stringify(rows.map(({ tenant, view }) => ({ tenant: { id: tenant.id, name: tenant.name, revoked: tenant.revokedAt !== null }, ...view })), null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out('no accounts configured');
      return 0;
    }
    const style = createStyle(io.color === true);
    const lines = table(
      ['TENANT', 'BOT', 'CHANNEL', 'HEALTH', 'REASON', 'CREDITS', 'SLOTS', 'ACCOUNT'],
      rows.map(({ tenant, view }) => [
        tenant.revokedAt === null ? tenant.name : `${tenant.name} (revoked)`,
        view.bot,
        view.channel,
        paintState(style, view.health.state),
        [view.health.reason, view.health.detail].filter(Boolean).join(': ') || '-',
        view.credits ? `${view.credits.used}${view.credits.total !== undefined ? `/${view.credits.total}` : ' used'}${view.credits.exhaustedAt !== undefined ? ' (out)' : ''}` : '-',
        `${view.slots.used}/${view.slots.capacity}${view.slots.queued ? ` +${view.slots.queued} queued` : ''}`,
        style.dim(view.id),
      ]),
    );
    for (const line of lines) io.out(line);
    return 0;
  } finally {
    await store.close();
  }
};
