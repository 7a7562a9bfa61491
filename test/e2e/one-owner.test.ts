/**
 * One Discord account, one owner, over HTTP against the simulator: a token belongs to one tenant
 * (and within it to one configuration per bot); another tenant's claim is a 409 that does not
 * reveal the first; bring-your-own rows can be listed, deleted, and expire when unused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/auth/index.ts';
import { form, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('one Discord account, one owner', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
  });
  afterAll(() => h.close());

  /** Waits for a job of `token`'s tenant to end; returns its final state. */
  const waitForEnd = async (token: string, jobid: string) => {
    let job: Record<string, unknown> = {};
    await waitUntil(async () => {
      job = await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(jobid)}`, { token })).json();
      return !['created', 'started', 'progress'].includes(job.status as string);
    }, 30_000, `job ${jobid} to end`);
    return job;
  };
  const newTenant = async (name: string) => (await issueApiToken(h.services.store, name)).token;

  it('refuses a second tenant saving the same Discord account with a 409 that does not reveal the first', async () => {
    const mine = await h.addFaceswapAccount();
    const other = await newTenant('secret-rival-tenant');
    const second = h.sim.control.createFaceswapAccount();
    const response = await h.call('POST', `/v1/faceswap/account/${second.channelId}`, { token: other, json: { discord: mine.discord, server: second.guildId, channel: second.channelId } });
    expect(response.status).toBe(409);
    const body = await response.json();
    expect(body).toMatchObject({ code: 409, error: 'This Discord account is already used by another API token' });
    const text = JSON.stringify(body);
    for (const secret of [mine.channel, mine.server, 'harness', mine.discord]) expect(text).not.toContain(secret);
    // The first tenant's configuration is untouched.
    expect(await (await h.call('GET', `/v1/faceswap/account/${mine.channel}`)).json()).toMatchObject({ discord: mine.discord });
  });

  it('lets one tenant drive both bots with one Discord account (as useapi does), but no other tenant either bot', async () => {
    const mine = await h.addFaceswapAccount();
    const pikaChannel = h.sim.control.openPikaDm(mine.userId);
    const both = await h.call('POST', `/v1/pika/account/${pikaChannel}`, { json: { discord: mine.discord, channel: pikaChannel, maxJobs: 2 } });
    expect(both.status).toBe(204);
    const other = await newTenant('other-bot-rival');
    const response = await h.call('POST', `/v1/pika/account/${pikaChannel}`, { token: other, json: { discord: mine.discord, channel: pikaChannel, maxJobs: 2 } });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toBe('This Discord account is already used by another API token');
  });

  it('lets exactly one of two tenants saving the same account at once win', async () => {
    const account = h.sim.control.createPikaAccount();
    const tokens = [await newTenant('racer-a'), await newTenant('racer-b')];
    const results = await Promise.all(tokens.map((token) => h.call('POST', `/v1/pika/account/${account.channelId}`, { token, json: { discord: account.user.token, channel: account.channelId, maxJobs: 2 } })));
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
  });

  it('refuses a bring-your-own call with a token another tenant configured', async () => {
    const configured = await h.addPikaAccount(2);
    const other = await newTenant('byo-other');
    const response = await h.call('POST', '/v1/pika/create', { token: other, form: form({ prompt: 'borrowed', discord: configured.discord, channel: configured.channel }) });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toBe('This Discord account is already used by another API token');
  });

  it('lists, deletes and expires the rows bring-your-own calls leave behind', async () => {
    const tenant = await newTenant('byo-owner');
    const own = await h.addPikaAccount(2, false);
    const created = await h.call('POST', '/v1/pika/create', { token: tenant, form: form({ prompt: 'my own account', discord: own.discord, channel: own.channel }) });
    expect(created.status).toBe(200);
    const job = await created.json();
    expect((await waitForEnd(tenant, job.jobid)).status).toBe('completed');

    // The plain listing stays useapi's (nothing configured), the hidden one shows the row masked.
    expect((await h.call('GET', '/v1/pika/account', { token: tenant })).status).toBe(404);
    const hidden = await (await h.call('GET', '/v1/pika/account?hidden=1', { token: tenant })).json();
    expect(Object.keys(hidden)).toEqual([own.channel]);
    expect(hidden[own.channel].discord).toMatch(/^<.{3}…secured….{3}>$/);
    expect(JSON.stringify(hidden)).not.toContain(own.discord);
    // Another tenant sees none of it.
    expect(await (await h.call('GET', '/v1/pika/account?hidden=1')).json()).not.toHaveProperty(own.channel);

    expect((await h.call('DELETE', `/v1/pika/account/${own.channel}?hidden=1`)).status).toBe(404);
    expect((await h.call('DELETE', `/v1/pika/account/${own.channel}?hidden=1`, { token: tenant })).status).toBe(204);
    expect(await (await h.call('GET', '/v1/pika/account?hidden=1', { token: tenant })).json()).toEqual({});

    // Used again, then left unused: the sweeper forgets it (here with a zero age).
    const again = await h.call('POST', '/v1/pika/create', { token: tenant, form: form({ prompt: 'again', discord: own.discord, channel: own.channel }) });
    const ended = await waitForEnd(tenant, (await again.json()).jobid);
    expect(ended.status).toBe('completed');
    expect(Object.keys(await (await h.call('GET', '/v1/pika/account?hidden=1', { token: tenant })).json())).toEqual([own.channel]);
    await h.services.accounts.purgeUnusedHidden(-1);
    expect(await (await h.call('GET', '/v1/pika/account?hidden=1', { token: tenant })).json()).toEqual({});
  });
});
