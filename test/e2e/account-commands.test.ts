/**
 * Accounts checked against the live command index on save (issue 12 item 5), and Pika stated as
 * it is (item 7): a DM without Pika's commands is the retired bot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('accounts checked against the command index', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('refuses a faceswap account whose server does not have the bot, saying how to fix it', async () => {
    const user = h.sim.control.createUser();
    const guild = h.sim.control.createGuild(user.id);
    const channel = h.sim.control.createTextChannel(guild.id);
    const response = await h.call('POST', `/v1/faceswap/account/${channel.id}`, { json: { discord: user.token, server: guild.id, channel: channel.id } });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toBe(`The InsightFaceSwap bot is not in server ${guild.id}: Discord's command index there has none of its commands. Invite the bot to the server (application id 1090660574196674713), then save the account again.`);
    expect(body.code).toBe(400);
  });

  it('keeps what differs on the account, in plain words, and shows it in the account JSON', async () => {
    const account = await h.addFaceswapAccount();
    const shown = await (await h.call('GET', `/v1/faceswap/account/${account.channel}`)).json();
    expect(shown.commandCheck).toMatchObject({ ok: true, problems: [] });
    h.sim.control.removeCommand('faceswap', 'changebg');
    const again = await h.call('POST', `/v1/faceswap/account/${account.channel}`, { json: { discord: account.discord, server: account.server, channel: account.channel } });
    expect(again.status).toBe(204);
    const after = await (await h.call('GET', `/v1/faceswap/account/${account.channel}`)).json();
    expect(after.commandCheck).toMatchObject({ ok: false, problems: [expect.stringContaining('offers no /changebg here')] });
    // The account still works for what the bot does offer.
    const listed = await (await h.call('POST', '/v1/faceswap/listid', { form: form({ channel: account.channel }) })).json();
    expect(listed.status).toBe('completed');
    void png;
  });
});

describe('commands checked on first use', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SWITCHBOARD_VERIFY_ACCOUNTS: '0' } });
  });
  afterAll(() => h.close());

  it('compares the commands when an account saved without verification first runs a command', async () => {
    const account = await h.addFaceswapAccount();
    expect((await (await h.call('GET', `/v1/faceswap/account/${account.channel}`)).json()).commandCheck).toBeUndefined();
    h.sim.control.renameCommandOption('faceswap', 'headshot', 'prompt', 'text');
    const listed = await (await h.call('POST', '/v1/faceswap/listid', { form: form({}) })).json();
    expect(listed.status).toBe('completed');
    let check: { ok?: boolean; problems?: string[] } | undefined;
    await waitUntil(async () => {
      check = (await (await h.call('GET', `/v1/faceswap/account/${account.channel}`)).json()).commandCheck;
      return check !== undefined;
    }, 10_000, 'the command check');
    expect(check).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.stringContaining('/headshot has no option "prompt"'), expect.stringContaining('/headshot requires option "text"')]) });
  });
});

describe('Pika stated as it is', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('works against the simulator, then refuses a DM without Pika commands with the retirement, on save and on a call', async () => {
    const working = await h.addPikaAccount(2);
    expect((await (await h.call('GET', `/v1/pika/account/${working.channel}`)).json()).commandCheck).toMatchObject({ ok: true });
    const byo = h.sim.control.createPikaAccount();
    for (const name of ['create', 'animate', 'encrypt_text', 'encrypt_image']) h.sim.control.removeCommand('pika', name);

    const other = h.sim.control.createPikaAccount();
    const saved = await h.call('POST', `/v1/pika/account/${other.channelId}`, { json: { discord: other.user.token, channel: other.channelId, maxJobs: 2 } });
    expect(saved.status).toBe(400);
    expect((await saved.json()).error).toMatch(/^Pika's Discord bot was retired in December 2025/);

    const started = Date.now();
    const call = await h.call('POST', '/v1/pika/create', { form: form({ discord: byo.user.token, channel: byo.channelId, prompt: 'a horse' }) });
    const job = await call.json();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(job.error ?? (await h.waitForEnd('pika', job.jobid)).error).toMatch(/^Pika's Discord bot was retired in December 2025/);
  });
});
