/**
 * A `switchboard serve` process killed with SIGKILL mid-job restarts into a consistent state:
 * jobs in flight are finished from what Discord did meanwhile, and no command is sent twice.
 */
import { describe, expect, it } from 'vitest';
import type { ServeProcess } from '../support/cli.ts';
import { useKillableServe } from '../support/killable-serve.ts';
import { form, png } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

describe('crash recovery', () => {
  const world = useKillableServe('switchboard-crash-');
  let server: ServeProcess | undefined;

  it('finishes an asynchronous job that was running when the process was killed, without sending it again', async () => {
    server = await world.serve();
    const token = server.firstToken();
    const call = (method: string, url: string, init: { form?: FormData; json?: unknown } = {}) =>
      fetch(`${server!.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
        ...(init.form ? { body: init.form } : init.json ? { body: JSON.stringify(init.json) } : {}),
      });
    const account = world.sim.control.createFaceswapAccount();
    expect((await call('POST', `/v1/faceswap/account/${account.channelId}`, { json: { discord: account.user.token, server: account.guildId, channel: account.channelId } })).status).toBe(204);
    expect((await call('POST', '/v1/faceswap/saveid', { form: form({ idname: 'me', image: png(1) }) })).status).toBe(200);

    const started = await (await call('POST', '/v1/faceswap/headshot', { json: { prompt: 'a crash test' } })).json();
    expect(started.status).toBe('started');
    server.child.kill('SIGKILL');
    await server.exited;

    // While switchboard is down the bot finishes; its result waits in the channel's history.
    server = await world.serve();
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v1/faceswap/jobs/?jobid=${encodeURIComponent(started.jobid)}`, { headers: { authorization: `Bearer ${token}` } })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 20_000);
    expect(job).toMatchObject({ status: 'completed' });
    expect(job.attachments[0].content_type).toBe('image/png');
    expect(world.sim.control.report().interactions.filter((i) => i.name === 'headshot')).toHaveLength(1);
    // The channel is free again: the next command runs.
    expect((await (await call('POST', '/v1/faceswap/listid', { form: form({}) })).json()).status).toBe('completed');
  });

  it.each([
    ['the default style', {}],
    ['results as plain messages without a mention, errors as red embeds', { result: 'message-no-mention', errors: 'embed' }],
    ['results as replies to the acknowledgement', { result: 'reply' }],
  ] as const)('finishes a blocking job whose caller lost its connection when the process died (%s)', async (_name, style) => {
    world.sim.control.setFaceswapStyle(style);
    server = await world.serve();
    const token = server.firstToken();
    const headers = { authorization: `Bearer ${token}` };
    const account = world.sim.control.createFaceswapAccount();
    await fetch(`${server.url}/v1/faceswap/account/${account.channelId}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ discord: account.user.token, server: account.guildId, channel: account.channelId }),
    });
    world.sim.control.setBotLatency(1500);
    const pending = fetch(`${server.url}/v1/faceswap/picsi`, { method: 'POST', headers, body: form({ source_image: png(2), target_image_gif_or_video: png(3) }) }).catch((error: Error) => error);
    await waitUntil(() => world.sim.control.report().interactions.some((i) => i.name === 'picsi'), 10_000);
    const [jobid] = (await (await fetch(`${server.url}/v1/faceswap/jobs`, { headers })).json()) as string[];
    expect(jobid).toBeDefined();
    server.child.kill('SIGKILL');
    await server.exited;
    expect(await pending).toBeInstanceOf(Error);

    world.sim.control.setBotLatency(0);
    server = await world.serve();
    const url = server.url;
    let job: Record<string, any> = {};
    await waitUntil(async () => {
      job = await (await fetch(`${url}/v1/faceswap/jobs/?jobid=${encodeURIComponent(jobid!)}`, { headers })).json();
      return job.status !== 'started' && job.status !== 'progress';
    }, 20_000);
    expect(job).toMatchObject({ status: 'completed', verb: 'faceswap-picsi' });
    expect(world.sim.control.report().interactions.filter((i) => i.name === 'picsi')).toHaveLength(1);
    expect((await (await fetch(`${url}/v1/faceswap/listid`, { method: 'POST', headers, body: form({}) })).json()).status).toBe('completed');
  });
});
