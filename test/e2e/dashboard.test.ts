/** The dashboard over HTTP: the static page, and the tenant-scoped JSON it polls. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { buildApp } from '../../src/http/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';

describe('dashboard', () => {
  let h: Harness;
  let account: Awaited<ReturnType<Harness['addFaceswapAccount']>>;
  let otherToken: string;

  beforeAll(async () => {
    h = await startHarness();
    account = await h.addFaceswapAccount();
    otherToken = (await issueApiToken(h.services.store, 'other')).token;
  });
  afterAll(() => h.close());

  const overview = async (token?: string) => {
    const response = await h.call('GET', '/v1/dashboard/overview', token ? { token } : {});
    return { status: response.status, body: await response.json() };
  };
  const accountId = async () => (await h.services.store.accounts.get((await overview()).body.tenant.id, 'faceswap', account.channel))!.id;

  it('serves the page and its files from this server only, under a strict content security policy', async () => {
    const page = await fetch(`${h.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<label for="token">API token</label>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of ['dashboard.js', 'dashboard.css']) {
      const asset = await fetch(`${h.url}/dashboard/${file}`);
      expect(asset.status, file).toBe(200);
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!\S*example)/);
    }
  });

  it('refuses the JSON without a valid token', async () => {
    expect((await overview('sb_not-a-token')).status).toBe(401);
    const probe = await fetch(`${h.url}/v1/dashboard/accounts/acc_x/probe`, { method: 'POST' });
    expect(probe.status).toBe(401);
  });

  it('shows the tenant its accounts with health, credits and slots, and its jobs and failures', async () => {
    const saved = await h.call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'dash', image: png(7) }) });
    const savedJob = await saved.json();
    expect(saved.status, JSON.stringify(savedJob)).toBe(200);
    const okJob = await (await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'dash', image: png(9) }) })).json();
    expect(okJob.status).toBe('completed');
    h.sim.control.failNextFaceswapJobs(1, 'noFace');
    const swapped = await h.call('POST', '/v1/faceswap/swapid', { form: form({ idname: 'dash', image: png(8) }) });
    const failedJob = await swapped.json();
    expect(failedJob.status).toBe('failed');

    const { status, body } = await overview();
    expect(status).toBe(200);
    expect(body.tenant.name).toBe('harness');
    expect(body.bots.map((b: { name: string }) => b.name)).toEqual(['faceswap', 'pika', 'midjourney']);
    const [faceswap, pika, midjourney] = body.bots;
    expect(pika.accounts).toEqual([]);
    expect(midjourney.accounts).toEqual([]);
    expect([faceswap.accountPath, midjourney.accountPath]).toEqual(['/v1/faceswap/account', '/v2/account/midjourney']);
    expect(faceswap.accounts).toHaveLength(1);
    expect(faceswap.accounts[0]).toMatchObject({ channel: account.channel, server: account.server, health: { state: 'active' }, slots: { used: 0, capacity: 1, queued: 0 } });
    expect(faceswap.accounts[0].credits).toMatchObject({ used: expect.any(Number) });
    expect(faceswap.accounts[0].commandCheck).toMatchObject({ ok: true, problems: [] });
    expect(faceswap.accounts[0].botMessages).toEqual([]);
    expect(JSON.stringify(body)).not.toContain(account.discord);

    expect(body.jobs.map((j: { jobid: string }) => j.jobid)).toEqual([failedJob.jobid, okJob.jobid, savedJob.jobid]);
    expect(body.jobs[1]).toMatchObject({ status: 'completed', result: okJob.attachments[0].url });
    expect(body.jobs[2]).toMatchObject({ verb: 'faceswap-saveid', status: 'completed', progress: { step: 1, steps: 1 } });
    expect(body.failures).toHaveLength(1);
    expect(body.failures[0]).toMatchObject({ jobid: failedJob.jobid, status: 'failed', error: failedJob.error });
  });

  it('shows another tenant none of this tenant’s accounts or jobs, and will not probe them for it', async () => {
    const { status, body } = await overview(otherToken);
    expect(status).toBe(200);
    expect(body.tenant.name).toBe('other');
    for (const bot of body.bots) expect(bot.accounts).toEqual([]);
    expect(body.jobs).toEqual([]);
    expect(body.failures).toEqual([]);

    const probe = await h.call('POST', `/v1/dashboard/accounts/${await accountId()}/probe`, { token: otherToken });
    expect(probe.status).toBe(404);
    expect(await probe.json()).toMatchObject({ code: 404 });
  });

  it('re-probes an account on request and reports the health Discord gives it', async () => {
    const id = await accountId();
    h.sim.control.revokeToken(account.userId);
    const refused = await h.call('POST', `/v1/dashboard/accounts/${id}/probe`);
    expect(refused.status).toBe(200);
    expect((await refused.json()).account.health).toMatchObject({ state: 'auth_failed', nextProbeAt: expect.any(String) });
    expect((await overview()).body.bots[0].accounts[0].health.state).toBe('auth_failed');

    h.sim.control.restoreToken(account.userId);
    const accepted = await h.call('POST', `/v1/dashboard/accounts/${id}/probe`);
    expect((await accepted.json()).account.health.state).toBe('active');

    expect((await h.call('POST', '/v1/dashboard/accounts/acc_missing/probe')).status).toBe(404);
  });

  it('leaves the probe of an account another instance serves to that instance', async () => {
    const elsewhere = await buildApp({ ...h.services, leases: { owns: () => false } });
    try {
      const response = await elsewhere.inject({ method: 'POST', url: `/v1/dashboard/accounts/${await accountId()}/probe`, headers: { authorization: `Bearer ${h.token}` } });
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toContain('served by another switchboard instance');
    } finally {
      await elsewhere.close();
    }
  });
});
