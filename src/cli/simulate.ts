/**
 * `switchboard serve --simulate`: the demo world. The simulated Discord lives in memory and starts
 * empty on every run, so its users, channels and tokens are new each time. Hence:
 *
 * - the store is its own (`./data-simulate` unless `--data-dir`), never the operator's real one;
 * - the demo API token survives restarts: it is kept in plain text in `<data dir>/demo-token`
 *   (mode 0600, a throwaway demo store) so the same token keeps working and `switchboard demo`
 *   finds it without flags;
 * - the demo accounts are replaced on every run: accounts of the demo tenant left from an
 *   earlier run point at simulated users that no longer exist, so they are deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { authenticateApiToken, issueApiToken } from '../auth/index.ts';
import type { Services } from '../bootstrap/index.ts';
import type { Simulator } from '../simulator/index.ts';
import type { TenantRecord } from '../store/index.ts';
import type { CliIO } from './command.ts';
import { describeSimulator } from './commands/simulator.ts';

export const SIMULATE_DATA_DIR = './data-simulate';
export const DEMO_TOKEN_FILE = 'demo-token';

/** The environment `serve --simulate` builds its config from: Discord is the simulator, the store is embedded. */
export function simulatedEnv(env: Readonly<Record<string, string | undefined>>, sim: Simulator): Record<string, string | undefined> {
  return { ...env, DATABASE_URL: undefined, SWITCHBOARD_DATA_DIR: undefined, DISCORD_API_URL: sim.apiUrl, DISCORD_GATEWAY_URL: sim.gatewayUrl };
}

/** Reads a demo token file; undefined when there is none. */
export function readDemoToken(dataDir: string): string | undefined {
  try {
    const token = fs.readFileSync(path.join(dataDir, DEMO_TOKEN_FILE), 'utf8').trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

async function demoTenant(services: Services): Promise<{ token: string; tenant: TenantRecord; created: boolean }> {
  const saved = readDemoToken(services.config.dataDir);
  const tenant = saved ? await authenticateApiToken(services.store, saved) : undefined;
  if (saved && tenant) return { token: saved, tenant, created: false };
  const issued = await issueApiToken(services.store, 'demo');
  fs.mkdirSync(services.config.dataDir, { recursive: true });
  fs.writeFileSync(path.join(services.config.dataDir, DEMO_TOKEN_FILE), `${issued.token}\n`, { mode: 0o600 });
  return { ...issued, created: true };
}

export interface DemoSetup {
  token: string;
  tenant: TenantRecord;
}

/**
 * Creates the simulated users, makes sure the demo token exists, and configures its accounts: one
 * per simulated bot whose provider declares a demo (the provider says what body to save).
 */
export async function setUpDemo(services: Services, sim: Simulator, io: CliIO): Promise<DemoSetup> {
  const simulated = describeSimulator(sim, io);
  const { token, tenant, created } = await demoTenant(services);
  const wanted = simulated.flatMap((account) => {
    const provider = services.providers.get(account.bot);
    return provider?.demo ? [{ provider, ...provider.demo.account(account) }] : [];
  });
  let replaced = 0;
  for (const { provider: p, channel, body } of wanted) {
    for (const stale of await services.store.accounts.list(tenant.id, p.name)) {
      if (stale.channel !== channel && (await services.accounts.delete(tenant.id, p, stale.channel))) replaced++;
    }
    await services.accounts.save(tenant.id, p, channel, body);
  }

  io.out('');
  io.out(created ? `Created the demo API token (tenant '${tenant.name}'), saved in ${path.join(services.config.dataDir, DEMO_TOKEN_FILE)}:` : `Demo API token (tenant '${tenant.name}', from ${path.join(services.config.dataDir, DEMO_TOKEN_FILE)}):`);
  io.out(token);
  const configured = wanted.map(({ provider, channel, body }) => `${provider.name} account on channel ${channel}${body.maxJobs === undefined ? '' : ` (maxJobs ${String(body.maxJobs)})`}`);
  io.out(`Configured for it: ${configured.join(', ')}.`);
  if (replaced > 0) io.out(`Removed ${replaced} demo account${replaced === 1 ? '' : 's'} left from an earlier run (the simulated Discord starts empty each time).`);
  return { token, tenant };
}
