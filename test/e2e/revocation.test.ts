/**
 * Revocation means stop, over HTTP against the simulator with the real CLI: revoking a token
 * answers its requests 401, cancels its jobs, and closes its accounts' Gateway sessions; a name
 * several tokens share is refused; a duplicated Authorization header is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { runCli } from '../support/cli.ts';
import { form, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('revoking an API token', () => {
  let h: Harness;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    // Slow bot steps keep the job running while the token is revoked.
    h = await startHarness({ simulator: { botLatencyMs: 2000, interactionTimeoutMs: 10_000 }, env: { SWITCHBOARD_QUEUE_LIMIT: '5' }, runtime: { lease: { leaseMs: 3000, intervalMs: 500 } } });
    cliEnv = { SWITCHBOARD_DATA_DIR: h.setup.config.dataDir, SWITCHBOARD_SECRET: 'harness-secret-value-123' };
  });
  afterAll(() => h.close());

  it("answers 401, cancels the tenant's jobs and closes its accounts' Gateway sessions", async () => {
    const { token, tenant } = await issueApiToken(h.services.store, 'to-revoke');
    const account = h.sim.control.createPikaAccount();
    const saved = await h.call('POST', `/v1/pika/account/${account.channelId}`, { token, json: { discord: account.user.token, channel: account.channelId, maxJobs: 1 } });
    expect(saved.status).toBe(204);
    await waitUntil(() => h.sim.control.connectedSessions(account.user.id) > 0, 30_000, 'the account to connect');
    // One job runs (maxJobs 1), two wait in the account's queue.
    const submitted = [];
    for (let i = 0; i < 3; i++) submitted.push(await (await h.call('POST', '/v1/pika/create', { token, form: form({ prompt: `a long one ${i}` }) })).json());
    for (const job of submitted) expect(['started', 'progress', 'created'], JSON.stringify(job)).toContain(job.status);

    const result = await runCli(['token', 'revoke', tenant.id], cliEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout, result.stdout).toMatch(/cancelled [23] job/);

    expect((await h.call('GET', '/v1/pika/jobs', { token })).status).toBe(401);
    for (const job of submitted.slice(1)) expect((await h.services.store.jobs.get(tenant.id, job.jobid))?.status).toBe('cancelled');
    await waitUntil(() => h.sim.control.connectedSessions(account.user.id) === 0, 30_000, 'the Gateway session to close');
    // And it stays closed: no instance claims a revoked token's account again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sim.control.connectedSessions(account.user.id)).toBe(0);
  });

  it('refuses a name that several tokens share, asking for the id', async () => {
    const a = await issueApiToken(h.services.store, 'twin');
    const b = await issueApiToken(h.services.store, 'twin');
    const result = await runCli(['token', 'revoke', 'twin'], cliEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(a.tenant.id);
    expect(result.stderr).toContain(b.tenant.id);
    expect((await h.call('GET', '/v1/pika/jobs', { token: a.token })).status).toBe(200);
    expect((await runCli(['token', 'revoke', b.tenant.id], cliEnv)).code).toBe(0);
    expect((await h.call('GET', '/v1/pika/jobs', { token: a.token })).status).toBe(200);
    expect((await h.call('GET', '/v1/pika/jobs', { token: b.token })).status).toBe(401);
  });
});
