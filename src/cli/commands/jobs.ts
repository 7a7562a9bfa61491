/** `switchboard jobs`: the newest jobs (or only the active ones) from the store, for a quick look. */
import { loadConfig } from '../../config/index.ts';
import { jobView } from '../../dashboard/index.ts';
import { providers } from '../../providers/index.ts';
import { ACTIVE_STATUSES, isActive, openStore } from '../../store/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';
import { createStyle, paintState, table } from '../style.ts';

const HELP = `Usage: switchboard jobs [--active] [--limit N] [--tenant ID_OR_NAME] [--bot BOT] [--json]

Lists jobs from the store (the one serve uses), newest first.

Options:
  --active     only jobs that are still running (created, started, progress)
  --limit N    at most N jobs (default 20, at most 1000)
  --tenant T   only the jobs of the tenant with this id or token name
  --bot BOT    only that bot's jobs (${providers.map((p) => p.name).join(', ')})
  --json       one JSON document instead of a table
  --data-dir D the embedded store in folder D (default SWITCHBOARD_DATA_DIR or ./data;
               ./data-simulate after serve --simulate)
  -h, --help   show this help`;

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return iso.slice(0, 16).replace('T', ' ');
}

export const jobs: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: {
      active: { type: 'boolean' },
      limit: { type: 'string' },
      tenant: { type: 'string' },
      bot: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '20') || limit < 1 || limit > 1000) throw new CliError('--limit must be a whole number from 1 to 1000', 2);
  if (values.bot !== undefined && !providers.some((p) => p.name === values.bot)) throw new CliError(`--bot must be one of ${providers.map((p) => p.name).join(', ')}`, 2);

  const store = await openStore(loadConfig(process.env, values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}));
  try {
    const tenants = await store.tenants.list();
    const names = new Map(tenants.map((t) => [t.id, t.name]));
    let tenantId: string | undefined;
    if (values.tenant !== undefined) {
      const matches = tenants.filter((t) => t.id === values.tenant || t.name === values.tenant);
      if (matches.length === 0) throw new CliError(`no tenant with id or name '${values.tenant}'`);
      if (matches.length > 1) throw new CliError(`several tenants are named '${values.tenant}'; use the id (see switchboard token list)`, 2);
      tenantId = matches[0]!.id;
    }
    const found = await store.jobs.listRecent({
      limit,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(values.bot !== undefined ? { bot: values.bot } : {}),
      ...(values.active ? { statuses: ACTIVE_STATUSES } : {}),
    });
    if (values.json) {
      io.out(JSON.stringify(found.map((job) => ({ tenant: { id: job.tenantId, name: names.get(job.tenantId) ?? null }, ...jobView(job) })), null, 2));
      return 0;
    }
    if (found.length === 0) {
      io.out(values.active ? 'no active jobs' : 'no jobs');
      return 0;
    }
    const style = createStyle(io.color === true);
    const now = Date.now();
    const lines = table(
      ['CREATED', 'TENANT', 'VERB', 'STATUS', 'CHANNEL', 'ERROR', 'JOBID'],
      found.map((job) => {
        const view = jobView(job);
        const status = view.queued && isActive(job.status) ? 'queued' : view.status;
        return [ago(view.created, now), names.get(job.tenantId) ?? job.tenantId, view.verb, paintState(style, status), view.channel, view.error ?? '', style.dim(view.jobid)];
      }),
    );
    for (const line of lines) io.out(line);
    return 0;
  } finally {
    await store.close();
  }
};
