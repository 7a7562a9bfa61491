/** `switchboard token create|list|revoke`: manage API tokens (one tenant each). */
import crypto from 'node:crypto';
import { issueApiToken } from '../../auth/index.ts';
import { JobEvents, JobService } from '../../jobs/index.ts';
import { registry } from '../../providers/index.ts';
import { AccountSelector } from '../../accounts/index.ts';
import { SecretBox } from '../../secrets/index.ts';
import { loadConfig } from '../../config/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { CliError, parseCommandArgs, type CliIO, type Command } from '../command.ts';

const HELP = `Usage:
  switchboard token create --name NAME   create a token; the token is the last line printed
  switchboard token list                 list tokens (id, name, created, status; never the token)
  switchboard token revoke ID_OR_NAME    revoke a token: its requests get 401 from then on, its queued and
                                         running jobs are cancelled, and every instance stops its accounts'
                                         Gateway sessions within a lease round (about 15 s). A name that
                                         several tokens share is refused: give the id (see token list).`;

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
    const active = (await store.tenants.list()).filter((t) => !t.revokedAt);
    const byId = active.find((t) => t.id === target);
    const byName = active.filter((t) => t.name === target);
    if (!byId && byName.length > 1) {
      throw new CliError(`${byName.length} active tokens are named '${target}': revoke one by id (${byName.map((t) => `${t.id} ${t.tokenHint}`).join(', ')})`, 2);
    }
    const tenant = byId ?? byName[0];
    if (!tenant) throw new CliError(`no active token with id or name '${target}'`);
    const revoked = await store.tenants.revoke(tenant.id, Date.now());
    if (revoked.length === 0) throw new CliError(`no active token with id or name '${target}'`);
    // Every instance drops the leases at its next renew, closing the accounts' Gateway sessions.
    const released = await store.leases.releaseTenant(tenant.id);
    const cancelled = await cancelActiveJobs(store, tenant.id);
    io.out(`revoked ${tenant.id} (${tenant.name}); cancelled ${cancelled} job(s); ${released} account session(s) stop within a lease round`);
    return 0;
  },
};

/**
 * Cancels the tenant's jobs that have not ended, through the same path as the cancel endpoint
 * (webhooks included). Only the store is needed: cancelling never decrypts anything, so the
 * service gets a throwaway key rather than making revocation depend on SWITCHBOARD_SECRET.
 */
async function cancelActiveJobs(store: Store, tenantId: string): Promise<number> {
  const notifications = store.notifications;
  const secrets = new SecretBox(crypto.randomBytes(32));
  const jobs = new JobService({
    store,
    secrets,
    providers: registry,
    selector: new AccountSelector({ store, secrets }),
    events: new JobEvents(notifications ? (jobid) => void notifications.publish('job', jobid).catch(() => undefined) : undefined),
    queueLimit: 0,
    allowPrivateCallbacks: false,
    wake: () => void notifications?.publish('work', '').catch(() => undefined),
  });
  let cancelled = 0;
  for (const provider of registry.all) {
    for (const jobid of await store.jobs.listActive(tenantId, provider.name)) {
      try {
        await jobs.cancel(tenantId, jobid);
        cancelled++;
      } catch {
        // It ended meanwhile.
      }
    }
  }
  return cancelled;
}
