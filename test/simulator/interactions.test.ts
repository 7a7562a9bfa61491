import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, startSimulator, type FaceswapAccount, type Simulator } from '../../src/simulator/index.ts';
import { nonce, png, Rest, slash, TestGateway } from './helpers.ts';

describe('simulator interactions', () => {
  let sim: Simulator;
  const sockets: TestGateway[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, heartbeatIntervalMs: 250, interactionTimeoutMs: 200 });
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => sim.close());

  async function setup(): Promise<{ account: FaceswapAccount; rest: Rest; gw: TestGateway }> {
    const account = sim.control.createFaceswapAccount();
    const gw = await TestGateway.connect(sim, account.user.token);
    sockets.push(gw);
    return { account, rest: new Rest(sim.apiUrl, account.user.token), gw };
  }

  /** POSTs a raw interaction body built from the current index entry, with `patch` applied to `data`. */
  async function raw(rest: Rest, account: FaceswapAccount, name: string, patch: (data: any) => void, extra: Record<string, unknown> = {}) {
    const command = await rest.command(account.channelId, name, FACESWAP_APPLICATION_ID);
    const data: any = { id: command.id, version: command.version, name, type: 1, options: [], attachments: [] };
    patch(data);
    const response = await rest.request('POST', '/interactions', { type: 2, application_id: FACESWAP_APPLICATION_ID, guild_id: account.guildId, channel_id: account.channelId, nonce: nonce(), session_id: 'x', data, ...extra });
    return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as any) };
  }

  it('emits INTERACTION_CREATE then INTERACTION_SUCCESS and a type-20 reply carrying the nonce and metadata', async () => {
    const { account, rest, gw } = await setup();
    const { response, nonce: n } = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid', sessionId: gw.sessionId });
    expect(response.status).toBe(204);
    const created = await gw.waitFor((p) => p.t === 'INTERACTION_CREATE' && p.d.nonce === n);
    expect(Object.keys(created.d).sort()).toEqual(['id', 'nonce']);
    const success = await gw.waitFor((p) => p.t === 'INTERACTION_SUCCESS' && p.d.nonce === n);
    const message = await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === n);
    expect(success.s!).toBeGreaterThan(created.s!);
    expect(message.s!).toBeGreaterThan(success.s!);
    expect(message.d).toMatchObject({
      type: 20,
      application_id: FACESWAP_APPLICATION_ID,
      webhook_id: FACESWAP_APPLICATION_ID,
      guild_id: account.guildId,
      channel_id: account.channelId,
      author: { id: FACESWAP_APPLICATION_ID, bot: true },
      interaction_metadata: { id: created.d.id, type: 2, name: 'listid', command_type: 1, user: { id: account.user.id } },
    });
    const data = await rest.json('GET', `/channels/${account.channelId}/messages/${message.d.id}/interaction-data`);
    expect(data).toMatchObject({ id: created.d.id, type: 2, name: 'listid', application_command: { application_id: FACESWAP_APPLICATION_ID, name: 'listid' }, options: [] });
    const report = sim.control.report();
    expect(report.interactions.find((i) => i.id === created.d.id)).toMatchObject({ name: 'listid', outcome: 'success', userId: account.user.id });
  });

  it('fails with reason_code 2 when the bot does not respond in time', async () => {
    const { account, rest, gw } = await setup();
    sim.control.dropNextInteractions(1, 'faceswap');
    const { nonce: n } = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
    const failure = await gw.waitFor((p) => p.t === 'INTERACTION_FAILURE' && p.d.nonce === n);
    expect(failure.d).toMatchObject({ reason_code: 2, id: expect.any(String) });
    expect(gw.dispatches('INTERACTION_SUCCESS').filter((p) => p.d.nonce === n)).toHaveLength(0);
  });

  it('fails the interaction when the bot is slower than the timeout', async () => {
    const { account, rest, gw } = await setup();
    sim.control.setBotLatency(400);
    try {
      const { nonce: n } = await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid' });
      await gw.waitFor((p) => p.t === 'INTERACTION_FAILURE' && p.d.nonce === n);
    } finally {
      sim.control.setBotLatency(0);
    }
  });

  it('answers an unknown command id with 10063', async () => {
    const { account, rest } = await setup();
    const result = await raw(rest, account, 'listid', (d) => (d.id = '42'));
    expect(result).toEqual({ status: 404, body: { message: 'Unknown application command', code: 10063 } });
  });

  it('rejects a stale version with 50035 INTERACTION_APPLICATION_COMMAND_INVALID_VERSION and reports it', async () => {
    const { account, rest } = await setup();
    const before = await rest.command(account.channelId, 'listid', FACESWAP_APPLICATION_ID);
    const fresh = sim.control.bumpCommandVersion('faceswap', 'listid');
    expect(fresh).not.toBe(before.version);
    const result = await raw(rest, account, 'listid', (d) => (d.version = before.version));
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 50035, message: 'Invalid Form Body', errors: { data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION' }] } } });
    expect(sim.control.report().staleVersions.at(-1)).toMatchObject({ command: 'listid', sent: before.version, current: fresh });
    expect((await raw(rest, account, 'listid', () => {})).status).toBe(204);
  });

  it('rejects missing, unknown and mistyped options with 50035', async () => {
    const { account, rest } = await setup();
    const missing = await raw(rest, account, 'delid', () => {});
    expect(missing.body.errors.data.options._errors[0].code).toBe('INTERACTION_APPLICATION_COMMAND_OPTION_REQUIRED');
    const unknown = await raw(rest, account, 'delid', (d) => (d.options = [{ type: 3, name: 'idname', value: 'a' }, { type: 3, name: 'bogus', value: 'x' }]));
    expect(unknown.body.errors.data.options['1'].name._errors[0].code).toBe('INTERACTION_APPLICATION_COMMAND_OPTION_UNKNOWN');
    const mistyped = await raw(rest, account, 'delid', (d) => (d.options = [{ type: 4, name: 'idname', value: 3 }]));
    expect(mistyped.body.errors.data.options['0'].type._errors[0].code).toBe('INTERACTION_APPLICATION_COMMAND_OPTION_TYPE_MISMATCH');
    const wrongValue = await raw(rest, account, 'delid', (d) => (d.options = [{ type: 3, name: 'idname', value: 3 }]));
    expect(wrongValue.body.code).toBe(50035);
  });

  it('rejects an attachment option that names no attachment, and an unknown upload with 50146', async () => {
    const { account, rest } = await setup();
    const mismatch = await raw(rest, account, 'swapid', (d) => {
      d.options = [{ type: 3, name: 'idname', value: 'a' }, { type: 11, name: 'image', value: 5 }];
      d.attachments = [{ id: '0', filename: 'a.png', uploaded_filename: 'x/a.png' }];
    });
    expect(mismatch.body.code).toBe(50035);
    const unknownUpload = await raw(rest, account, 'swapid', (d) => {
      d.options = [{ type: 3, name: 'idname', value: 'a' }, { type: 11, name: 'image', value: 0 }];
      d.attachments = [{ id: '0', filename: 'a.png', uploaded_filename: 'nope/a.png' }];
    });
    expect(unknownUpload).toEqual({ status: 400, body: { message: 'Uploaded file not found.', code: 50146 } });
  });

  it('answers 403 50001 for a channel the user cannot access', async () => {
    const { account } = await setup();
    const stranger = sim.control.createUser();
    const rest = new Rest(sim.apiUrl, stranger.token);
    const response = await rest.request('POST', '/interactions', { type: 2, application_id: FACESWAP_APPLICATION_ID, guild_id: account.guildId, channel_id: account.channelId, nonce: nonce(), data: { id: '1', version: '1', name: 'listid' } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).code).toBe(50001);
  });

  it('answers 10008 to a component click on an unknown message', async () => {
    const pika = sim.control.createPikaAccount();
    const rest = new Rest(sim.apiUrl, pika.user.token);
    const response = await rest.request('POST', '/interactions', { type: 3, application_id: pika.applicationId, channel_id: pika.channelId, message_id: '123', message_flags: 0, nonce: nonce(), data: { component_type: 2, custom_id: 'x' } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).code).toBe(10008);
  });

  it('accepts an interaction as multipart payload_json with inline files', async () => {
    const { account, rest, gw } = await setup();
    const command = await rest.command(account.channelId, 'saveid', FACESWAP_APPLICATION_ID);
    const n = nonce();
    const form = new FormData();
    form.set('payload_json', JSON.stringify({ type: 2, application_id: FACESWAP_APPLICATION_ID, guild_id: account.guildId, channel_id: account.channelId, nonce: n, session_id: gw.sessionId, data: { id: command.id, version: command.version, name: 'saveid', type: 1, options: [{ type: 3, name: 'idname', value: 'bob' }, { type: 11, name: 'image', value: 0 }], attachments: [{ id: '0', filename: 'bob.png' }] } }));
    form.set('files[0]', new Blob([png(9)], { type: 'image/png' }), 'bob.png');
    expect((await rest.request('POST', '/interactions', form)).status).toBe(204);
    const reply = await gw.waitFor((p) => p.t === 'MESSAGE_CREATE' && p.d.nonce === n);
    expect(reply.d.content).toContain('bob');
  });

  it('reports a nonce used twice', async () => {
    const { account, rest } = await setup();
    const n = nonce();
    await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid', nonce: n });
    await slash(rest, { channelId: account.channelId, applicationId: FACESWAP_APPLICATION_ID, name: 'listid', nonce: n });
    expect(sim.control.report().duplicateNonces).toContainEqual(expect.objectContaining({ userId: account.user.id, nonce: n }));
  });
});
