/** Account selection (accounts/account-selector.ts) on a real SQLite store: order, eligibility, bring-your-own. */
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountSelector, ineligibility } from '../../../src/accounts/index.ts';
import { ApiError } from '../../../src/errors/index.ts';
import { registry, type Provider, type ProviderCommand } from '../../../src/providers/index.ts';
import { openSecretBox, type SecretBox } from '../../../src/secrets/index.ts';
import type { AccountInput, AccountRecord, NewJob, TenantRecord } from '../../../src/store/index.ts';
import { useFreshStore } from '../../support/stores.ts';

const faceswap = registry.require('faceswap');
const pika = registry.require('pika');
const command = (provider: Provider, name: string): ProviderCommand => provider.commands.find((c) => c.name === name)!;
const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('the account selector', () => {
  const ctx = useFreshStore('sqlite');
  const store = () => ctx().store;
  let secrets: SecretBox;
  let selector: AccountSelector;
  let tenant: TenantRecord;
  const changed: AccountRecord[] = [];

  const add = (overrides: Partial<AccountInput> & { channel: string }) =>
    store().accounts.upsert({ id: `acc-${overrides.channel}`, tenantId: 't1', bot: 'faceswap', server: `2${overrides.channel.slice(1)}`, discordToken: secrets.encrypt(`token-${overrides.channel}`), discordFingerprint: secrets.fingerprint(`token-${overrides.channel}`), maxJobs: null, now: 1, ...overrides });
  const job = (accountId: string, n: number): NewJob => ({
    jobid: `job:${accountId}:${n}`, tenantId: 't1', bot: 'faceswap', verb: 'faceswap-picsi', status: 'created', accountId, channel: '1', server: null, discordMasked: 'x', maxJobs: null,
    request: {}, replyUrl: null, replyRef: null, messageId: null, content: null, timestamp: null, attachments: null, embeds: null, buttons: null, error: null, errorDetails: null, code: null,
    parentJobId: null, button: null, runnerState: {}, createdAt: n, deadlineAt: null,
  });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  };

  beforeEach(async () => {
    secrets = await openSecretBox({ secret: 'selector-test-secret-123', dataDir: ctx().setup.config.dataDir }, store());
    changed.length = 0;
    selector = new AccountSelector({ store: store(), secrets, now: () => NOW, onAccountChanged: (a) => changed.push(a) });
    tenant = await store().tenants.create({ id: 't1', name: 't1', tokenHash: 'h1', tokenHint: 'x', createdAt: 1 });
  });

  it('pins the named channel, and refuses it with the reason when it cannot take work', async () => {
    await add({ channel: '100000000000000001' });
    const b = await add({ channel: '100000000000000002' });
    expect((await selector.select({ tenant, provider: faceswap, command: command(faceswap, 'picsi'), channel: ' 100000000000000002 ' })).map((a) => a.id)).toEqual([b.id]);
    await store().accounts.setHealth(b.id, { ...b.health, state: 'needs_human', reason: 'captcha' }, 2);
    const error = await refusal(selector.select({ tenant, provider: faceswap, command: command(faceswap, 'picsi'), channel: b.channel }));
    expect(error.status).toBe(596);
    expect(error.message).toMatch(/needs attention \(captcha\)/);
    expect((await refusal(selector.select({ tenant, provider: faceswap, command: command(faceswap, 'picsi'), channel: '100000000000000009' }))).status).toBe(404);
  });

  it('offers every eligible account in random order, leaving out unhealthy ones and those the provider refuses', async () => {
    const ids = [];
    for (let i = 1; i <= 5; i++) ids.push((await add({ channel: `10000000000000000${i}` })).id);
    const [healthy1, healthy2, sick, spent, renewed] = ids as [string, string, string, string, string];
    const sickRow = (await store().accounts.getById(sick))!;
    await store().accounts.setHealth(sick, { ...sickRow.health, state: 'cooling_down', reason: 'rate_limited' }, 2);
    await store().accounts.setCredits(spent, { timestamp: '2026-06-01T08:00:00.000Z', total: 50, used: 50 }, 2);
    // Refused for lack of credits more than a day ago: the provider's reset rule (default after:24h) makes it eligible again.
    await store().accounts.setCredits(renewed, { timestamp: '2026-05-31T11:00:00.000Z', total: 50, used: 50, exhaustedAt: Date.parse('2026-05-31T11:00:00.000Z') }, 2);
    const orders = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const picked = (await selector.select({ tenant, provider: faceswap, command: command(faceswap, 'picsi') })).map((a) => a.id);
      expect([...picked].sort()).toEqual([healthy1, healthy2, renewed].sort());
      orders.add(picked.join());
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('names every refusal when no account can take work', async () => {
    const a = await add({ channel: '100000000000000001' });
    const b = await add({ channel: '100000000000000002' });
    for (const id of [a.id, b.id]) await store().accounts.setCredits(id, { timestamp: '2026-06-01T08:00:00.000Z', total: 50, used: 50 }, 2);
    const error = await refusal(selector.select({ tenant, provider: faceswap, command: command(faceswap, 'picsi') }));
    expect(error.status).toBe(429);
    expect(error.message).toContain('no credits left');
  });

  it('asks for the channel of a pinned command when several accounts exist', async () => {
    await add({ channel: '100000000000000001' });
    await add({ channel: '100000000000000002' });
    const error = await refusal(selector.select({ tenant, provider: faceswap, command: command(faceswap, 'saveid') }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('Required param channel is missing or empty');
  });

  it('orders accounts for a queue place by their queue length, shortest first', async () => {
    const a = await add({ channel: '100000000000000001' });
    const b = await add({ channel: '100000000000000002' });
    // a: one running and two queued; b: one running, none queued.
    for (let n = 0; n < 3; n++) await store().jobs.insert(job(a.id, n), [], { accountId: a.id, limit: 1, queueLimit: 5 });
    await store().jobs.insert(job(b.id, 9), [], { accountId: b.id, limit: 1, queueLimit: 5 });
    expect((await selector.byQueueLength([a, b])).map((x) => x.id)).toEqual([b.id, a.id]);
  });

  it('gives a bring-your-own call an account holding exactly its token, and a new token replaces the old one once idle', async () => {
    const channel = '300000000000000001';
    const first = await selector.select({ tenant, provider: pika, command: command(pika, 'create'), channel, discord: 'token-one', maxJobs: 2 });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ listed: false, channel, maxJobs: 2, discordFingerprint: secrets.fingerprint('token-one') });
    expect(secrets.decrypt(first[0]!.discordToken)).toBe('token-one');
    expect(changed).toHaveLength(0);

    // A job sent with token-one is still running: another token must wait.
    await store().jobs.insert({ ...job(first[0]!.id, 1), bot: 'pika', verb: 'pika-create' }, [], { accountId: first[0]!.id, limit: 2 });
    expect((await refusal(selector.select({ tenant, provider: pika, command: command(pika, 'create'), channel, discord: 'token-two' }))).status).toBe(409);
    await store().jobs.update(`job:${first[0]!.id}:1`, ['created'], { status: 'completed', code: 200 }, 5);

    const second = await selector.select({ tenant, provider: pika, command: command(pika, 'create'), channel, discord: 'token-two' });
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(secrets.decrypt(second[0]!.discordToken)).toBe('token-two');
    expect(second[0]!.discordFingerprint).toBe(secrets.fingerprint('token-two'));
    expect(changed.map((a) => a.discordFingerprint)).toEqual([secrets.fingerprint('token-two')]);
  });

  it('never lets a call bring a token for a configured channel that holds another', async () => {
    await add({ channel: '300000000000000002', bot: 'pika', server: null, maxJobs: 2 });
    const error = await refusal(selector.select({ tenant, provider: pika, command: command(pika, 'create'), channel: '300000000000000002', discord: 'someone-else' }));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/configured with another discord token/);
  });

  it('decides eligibility in one function: health first, then the provider rule', async () => {
    const account = await add({ channel: '100000000000000001' });
    expect(ineligibility(account, faceswap, NOW)).toBeUndefined();
    const spent = { ...account, credits: { timestamp: '2026-06-01T08:00:00.000Z', total: 10, used: 10 } };
    // The reset rule (SWITCHBOARD_CREDITS_RESET, default after:24h) — never an assumed midnight.
    expect(ineligibility(spent, faceswap, NOW)).toMatchObject({ status: 429, reason: 'has no credits left until 2026-06-02T08:00:00.000Z' });
    expect(ineligibility(spent, faceswap, Date.parse('2026-06-02T00:00:00Z'))).toMatchObject({ status: 429 });
    expect(ineligibility(spent, faceswap, Date.parse('2026-06-02T08:00:00Z'))).toBeUndefined();
    // A channel held back after the bot failed to answer takes no work until then.
    expect(ineligibility({ ...account, quarantineUntil: NOW + 60_000 }, faceswap, NOW)).toMatchObject({ status: 429, reason: 'held back after the bot failed to answer' });
    expect(ineligibility({ ...account, quarantineUntil: NOW - 1 }, faceswap, NOW)).toBeUndefined();
    // Pika has no credit rule: only health counts.
    expect(ineligibility({ ...spent, bot: 'pika' }, pika, NOW)).toBeUndefined();
    expect(ineligibility({ ...account, health: { ...account.health, state: 'auth_failed', reason: 'token_rejected' } }, faceswap, NOW)).toMatchObject({ status: 596 });
  });
});
