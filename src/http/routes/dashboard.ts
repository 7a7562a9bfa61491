/**
 * `GET /dashboard` (the page and its two static files, public: they hold no data) and the JSON the
 * page reads, behind the API token like the rest of `/v1`:
 * `GET /v1/dashboard/overview` and `POST /v1/dashboard/accounts/:id/probe`.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountPool } from '../../accounts/index.ts';
import { accountView, dashboardAssets, dashboardOverview } from '../../dashboard/index.ts';
import { ApiError } from '../../errors/index.ts';
import type { ProviderRegistry } from '../../providers/index.ts';
import type { Store } from '../../store/index.ts';
import { requireApiToken, tenantOf } from '../authenticate.ts';

export interface DashboardServices {
  store: Store;
  providers: ProviderRegistry;
  /** Absent in apps built without Discord clients: re-probing then answers 503. */
  pool?: Pick<AccountPool, 'client' | 'health'>;
  /** Several instances: only the one holding an account's lease may open its Gateway session. */
  leases?: { owns(accountId: string): boolean };
  /** When present, each account in the overview shows its labels in `/metrics`. */
  metrics?: { accountLabels(account: { id: string; channel: string }): Promise<{ account: string; channel: string }> };
}

// The page loads only its own files and talks only to this server.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export async function dashboardRoutes(app: FastifyInstance, services: DashboardServices): Promise<void> {
  for (const asset of dashboardAssets()) {
    app.get(asset.path === '' ? '/dashboard' : `/dashboard/${asset.path}`, async (_request, reply) => reply.headers(SECURITY_HEADERS).type(asset.contentType).send(asset.body));
  }

  await app.register(async (api) => {
    requireApiToken(api, services.store);

    api.get('/v1/dashboard/overview', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const overview = await dashboardOverview(services.store, services.providers.all, tenantOf(request));
      const metrics = services.metrics;
      if (!metrics) return overview;
      // Each account's labels in /metrics (opaque by default), for this tenant's own accounts only.
      for (const bot of overview.bots) {
        for (const account of bot.accounts) Object.assign(account, { metricsLabels: await metrics.accountLabels(account) });
      }
      return overview;
    });

    api.post<{ Params: { id: string } }>('/v1/dashboard/accounts/:id/probe', async (request) => {
      const tenant = tenantOf(request);
      const account = await services.store.accounts.getById(request.params.id);
      // Another tenant's account is as unknown as a missing one.
      if (!account || account.tenantId !== tenant.id) throw new ApiError(404, `Unable to locate account ${request.params.id}`);
      if (!services.pool) throw new ApiError(503, 'Re-probing accounts is not available on this server');
      // Probing goes through the account's live client; opening one here for an account another
      // instance serves would start a second Gateway session for the same user.
      if (services.leases && !services.leases.owns(account.id)) {
        throw new ApiError(409, `Account ${account.channel} is served by another switchboard instance right now; it re-checks the account on schedule`, 'Try again in a few seconds: instances rebalance accounts every few seconds.');
      }
      services.pool.client(account); // the pool tracks (and connects) the account on first use
      await services.pool.health.probeNow(account.id);
      const fresh = (await services.store.accounts.getById(account.id)) ?? account;
      const provider = services.providers.get(fresh.bot);
      const busy = await services.store.jobs.listActiveForAccounts([fresh.id]);
      return { account: accountView(fresh, provider, busy) };
    });
  });
}
