import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACESWAP_APPLICATION_ID, startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { download, isPng, png, Rest } from './helpers.ts';

describe('simulator REST', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 7 });
  });
  afterAll(() => sim.close());

  it('answers an unknown token with Discord’s 401 body', async () => {
    const response = await new Rest(sim.apiUrl, 'not-a-token').request('GET', '/users/@me');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });

  it('serves GET /gateway without auth and points at the gateway URL', async () => {
    const body: unknown = await (await fetch(`${sim.apiUrl}/gateway`)).json();
    expect(body).toEqual({ url: sim.gatewayUrl });
  });

  it('identifies the token owner on /users/@me under v9 and v10', async () => {
    const user = sim.control.createUser({ username: 'ana' });
    for (const api of [sim.apiUrl, sim.apiUrl.replace('/v9', '/v10')]) {
      const me = await new Rest(api, user.token).json('GET', '/users/@me');
      expect(me).toMatchObject({ id: user.id, username: 'ana', discriminator: '0' });
    }
  });

  it('lists the guild command index with generated ids and versions', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const index = await rest.json('GET', `/guilds/${account.guildId}/application-command-index`);
    expect(index.applications).toEqual([expect.objectContaining({ id: FACESWAP_APPLICATION_ID, bot_id: FACESWAP_APPLICATION_ID })]);
    const names = index.application_commands.map((c: any) => c.name).sort();
    expect(names).toEqual(['INSwapper', 'changebg', 'delall', 'delid', 'headshot', 'listid', 'picsi', 'saveid', 'setid', 'swapid']);
    const swapid = index.application_commands.find((c: any) => c.name === 'swapid');
    expect(swapid.id).not.toBe('1097030226204184646');
    expect(swapid.version).toMatch(/^\d{17,20}$/);
    expect(swapid.options).toEqual([expect.objectContaining({ name: 'idname', type: 3, required: true }), expect.objectContaining({ name: 'image', type: 11, required: true })]);
  });

  it('lists Pika’s commands in its DM channel and refuses the channel index for guild channels', async () => {
    const pika = sim.control.createPikaAccount();
    const rest = new Rest(sim.apiUrl, pika.user.token);
    const dms = await rest.json('GET', '/users/@me/channels');
    expect(dms).toEqual([expect.objectContaining({ id: pika.channelId, type: 1, recipients: [expect.objectContaining({ id: pika.applicationId, bot: true })] })]);
    const index = await rest.json('GET', `/channels/${pika.channelId}/application-command-index`);
    expect(index.applications[0].id).toBe(pika.applicationId);
    expect(index.application_commands.map((c: any) => c.name).sort()).toEqual(['animate', 'create', 'encrypt_image', 'encrypt_text']);
    const faceswap = sim.control.createFaceswapAccount();
    const response = await new Rest(sim.apiUrl, faceswap.user.token).request('GET', `/channels/${faceswap.channelId}/application-command-index`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).code).toBe(50001);
  });

  it('opens a DM with POST /users/@me/channels and returns the same channel again', async () => {
    const user = sim.control.createUser();
    const rest = new Rest(sim.apiUrl, user.token);
    const first = await rest.json('POST', '/users/@me/channels', { recipients: [sim.control.pikaApplicationId] });
    const second = await rest.json('POST', '/users/@me/channels', { recipients: [sim.control.pikaApplicationId] });
    expect(first.type).toBe(1);
    expect(second.id).toBe(first.id);
  });

  it('answers unknown channels with 10003 and foreign channels with 50001', async () => {
    const a = sim.control.createFaceswapAccount();
    const b = sim.control.createUser();
    const rest = new Rest(sim.apiUrl, b.token);
    const unknown = await rest.request('GET', '/channels/123');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Unknown Channel', code: 10003 });
    const foreign = await rest.request('GET', `/channels/${a.channelId}/messages`);
    expect(foreign.status).toBe(403);
    expect((await foreign.json()) as any).toEqual({ message: 'Missing Access', code: 50001 });
  });

  it('rejects broken JSON with 50109', async () => {
    const user = sim.control.createUser();
    const response = await fetch(`${sim.apiUrl}/users/@me/channels`, { method: 'POST', headers: { authorization: user.token, 'content-type': 'application/json' }, body: '{nope' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).code).toBe(50109);
  });

  it('posts a message with a cloud upload and serves it from the CDN', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const uploaded = await rest.upload(account.channelId, 'photo.png', png(3));
    const message = await rest.json('POST', `/channels/${account.channelId}/messages`, { content: 'hi', attachments: [{ id: '0', filename: 'photo.png', uploaded_filename: uploaded }] });
    expect(message.attachments[0]).toMatchObject({ filename: 'photo.png', content_type: 'image/png', width: 16, height: 16 });
    expect(message.attachments[0].url).toMatch(/\/attachments\/\d+\/\d+\/photo\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+&$/);
    const file = await download(message.attachments[0].url);
    expect(file.status).toBe(200);
    expect(isPng(file.bytes)).toBe(true);
    // The single-message route is bot-only: a user token gets 403 code 20002 (real-world.md §1).
    const single = await rest.request('GET', `/channels/${account.channelId}/messages/${message.id}`);
    expect(single.status).toBe(403);
    expect(await single.json()).toEqual({ message: 'Only bots can use this endpoint', code: 20002 });
    const around = await rest.json('GET', `/channels/${account.channelId}/messages?around=${message.id}&limit=1`);
    expect(around.map((m: { id: string }) => m.id)).toEqual([message.id]);
    expect(around[0].content).toBe('hi');
    const list = await rest.json('GET', `/channels/${account.channelId}/messages?limit=10`);
    expect(list[0].id).toBe(message.id);
    // The upload was consumed: referencing it again is 50146.
    const again = await rest.request('POST', `/channels/${account.channelId}/messages`, { content: 'x', attachments: [{ id: '0', filename: 'photo.png', uploaded_filename: uploaded }] });
    expect(((await again.json()) as any).code).toBe(50146);
  });

  it('posts a message with multipart payload_json and files', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const form = new FormData();
    form.set('payload_json', JSON.stringify({ content: 'inline', attachments: [{ id: 0, filename: 'a.png' }] }));
    form.set('files[0]', new Blob([png(4)], { type: 'image/png' }), 'a.png');
    const response = await rest.request('POST', `/channels/${account.channelId}/messages`, form);
    expect(response.status).toBe(200);
    const message: any = await response.json();
    expect(message.attachments[0].filename).toBe('a.png');
  });

  it('deletes an unused upload with DELETE /attachments/{upload_filename}', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const uploaded = await rest.upload(account.channelId, 'x.png', png());
    expect((await rest.request('DELETE', `/attachments/${uploaded}`)).status).toBe(204);
    expect((await rest.request('DELETE', `/attachments/${uploaded}`)).status).toBe(400);
  });

  it('expires signed CDN URLs and refreshes them on request', async () => {
    const account = sim.control.createFaceswapAccount();
    const rest = new Rest(sim.apiUrl, account.user.token);
    const uploaded = await rest.upload(account.channelId, 'old.png', png());
    const message = await rest.json('POST', `/channels/${account.channelId}/messages`, { attachments: [{ id: '0', filename: 'old.png', uploaded_filename: uploaded }] });
    const url: string = message.attachments[0].url;
    const tampered = url.replace(/hm=[0-9a-f]/, (m) => (m.endsWith('0') ? 'hm=1' : 'hm=0'));
    expect((await download(tampered)).status).toBe(404);
    sim.control.advanceTime(2 * 24 * 3600 * 1000);
    try {
      expect((await download(url)).status).toBe(404);
      const { refreshed_urls } = await rest.json('POST', '/attachments/refresh-urls', { attachment_urls: [url] });
      expect(refreshed_urls[0].original).toBe(url);
      expect((await download(refreshed_urls[0].refreshed)).status).toBe(200);
    } finally {
      sim.control.advanceTime(-2 * 24 * 3600 * 1000);
    }
  });
});
