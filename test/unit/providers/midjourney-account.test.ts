/** Midjourney account bodies and command planning, with useapi's documented texts (midjourney.md A.2, A.3). */
import { describe, expect, it } from 'vitest';
import { parseMidjourneyAccount, renderMidjourneyAccount } from '../../../src/providers/midjourney/account.ts';
import { buildButton, ERRORS, midjourneyCommands } from '../../../src/providers/midjourney/commands.ts';
import type { AccountRecord, JobRecord } from '../../../src/store/index.ts';

const CHANNEL = '1316232391072944131';
const SERVER = '1216232391072944131';
const ok = { discord: 'token', channel: CHANNEL, maxJobs: 3 };

describe('Midjourney accounts', () => {
  it.each([
    [{ ...ok, discord: '' }, 'Required param discord is missing or empty'],
    [{ ...ok, server: 'abc' }, 'Required param server (abc) is not valid Discord server id'],
    [{ ...ok, channel: undefined }, 'Required param channel is missing or empty'],
    [{ ...ok, channel: '12' }, 'Required param channel (12) is not valid Discord channel id'],
    [{ ...ok, channel: '1316232391072944132' }, `Required param channel (1316232391072944132) not matching to /midjourney/channel (/midjourney/${CHANNEL})`],
    [{ ...ok, maxJobs: undefined }, 'Required param maxJobs is missing or empty'],
    [{ ...ok, maxJobs: 16 }, "Required param maxJobs 16 can't be more that 15"],
    [{ ...ok, maxJobs: 0 }, 'Required param maxJobs (0) must be a whole number from 1 to 15'],
    [{ ...ok, replyUrl: 'x'.repeat(1025) }, 'replyUrl is too long'],
  ])('refuses %j with useapi’s text', (body, error) => {
    expect(parseMidjourneyAccount(body as Record<string, unknown>, CHANNEL)).toEqual({ ok: false, error });
  });

  it('accepts the documented body, an optional server and an optional replyUrl', () => {
    expect(parseMidjourneyAccount({ ...ok, server: SERVER, maxJobs: '15', replyUrl: 'https://example.com/hook' }, CHANNEL)).toEqual({
      ok: true,
      value: { discord: 'token', channel: CHANNEL, server: SERVER, maxJobs: 15, replyUrl: 'https://example.com/hook' },
    });
  });

  it('lets the channel be discovered when the path names none, with maxJobs defaulting to 3', () => {
    expect(parseMidjourneyAccount({ discord: 'token' }, '')).toEqual({ ok: true, value: { discord: 'token', channel: '', server: null, maxJobs: 3, replyUrl: null } });
  });

  it('shows pendingModMessage while a Midjourney notice keeps the account with a human', () => {
    const account = { channel: CHANNEL, server: null, maxJobs: 2, health: { state: 'needs_human', reason: 'moderation_pending', detail: 'Pending mod message: acknowledge it', failures: 1, since: 1, until: null, nextProbeAt: null } } as unknown as AccountRecord;
    expect(renderMidjourneyAccount(account, 'token')).toEqual({ channel: CHANNEL, discord: 'token', maxJobs: 2, pendingModMessage: 'Pending mod message: acknowledge it' });
    const healthy = { ...account, health: { ...account.health, state: 'active', reason: 'probe_ok' } } as AccountRecord;
    expect(renderMidjourneyAccount(healthy, 'token')).not.toHaveProperty('pendingModMessage');
  });
});

describe('Midjourney account verification', () => {
  it('wants the DM with the Midjourney bot, with its /imagine in the command index', async () => {
    const { verifyMidjourneyChannel } = await import('../../../src/providers/midjourney/account.ts');
    const dm = { id: CHANNEL, type: 1, recipients: [{ id: '936929561302675456' }] };
    const imagine = [{ name: 'imagine', application_id: '936929561302675456' }];
    expect(verifyMidjourneyChannel({ channel: dm, commands: imagine })).toBeUndefined();
    expect(verifyMidjourneyChannel({ channel: { ...dm, type: 0 }, commands: imagine })).toMatch(/not the DM channel with the Midjourney bot/);
    expect(verifyMidjourneyChannel({ channel: { ...dm, recipients: [{ id: '1' }] }, commands: imagine })).toMatch(/not the DM channel/);
    expect(verifyMidjourneyChannel({ channel: dm, commands: [{ name: 'imagine', application_id: '1' }] })).toMatch(/^Midjourney bot not configured/);
  });
});

describe('Midjourney commands', () => {
  const command = (name: string) => midjourneyCommands.find((c) => c.name === name)!;
  const parent = { jobid: 'p', status: 'completed', messageId: '42', buttons: ['U1', 'U2', 'V1', '🔄', 'Vary (Region)', 'Custom Zoom'], request: { prompt: 'a cat' } } as unknown as JobRecord;
  const input = (fields: Record<string, string>) => ({ fields, files: {} });

  it('plans /imagine with the prompt', () => {
    expect(command('imagine').build(input({ prompt: ' a cat --ar 3:2 ' }))).toEqual({ ok: true, value: { echo: { prompt: 'a cat --ar 3:2' }, steps: [{ kind: 'slash', command: 'imagine', options: { prompt: 'a cat --ar 3:2' }, files: {}, expects: 'media' }] } });
  });

  it('plans a button on the parent’s result message and checks it against the parent’s buttons', () => {
    expect(buildButton(input({ jobid: 'p', button: 'U1' }), parent)).toMatchObject({ ok: true, value: { echo: { button: 'U1', prompt: 'a cat' }, steps: [{ kind: 'button', button: 'U1', messageId: '42' }] } });
    expect(buildButton(input({ jobid: 'p', button: 'U3' }), parent)).toEqual({ ok: false, error: ERRORS.buttonNotFound });
    expect(buildButton(input({ jobid: 'nope', button: 'U1' }), undefined)).toEqual({ ok: false, status: 404, error: 'Unable to locate job nope' });
  });

  it('refuses a second U1 on the same parent with 409, but not a second V1', () => {
    expect(buildButton(input({ jobid: 'p', button: 'U1' }), parent, [{ button: 'U1', jobid: 'c' }])).toEqual({ ok: false, status: 409, error: ERRORS.upscaled });
    expect(buildButton(input({ jobid: 'p', button: 'V1' }), parent, [{ button: 'V1', jobid: 'c' }]).ok).toBe(true);
  });

  it('plans U1–U4 with their once-per-parent key (the store enforces it), and counts a failed U1 as not done', () => {
    expect(buildButton(input({ jobid: 'p', button: 'U1' }), parent)).toMatchObject({ ok: true, value: { oncePerParent: 'U1' } });
    const v1 = buildButton(input({ jobid: 'p', button: 'V1' }), parent);
    expect(v1.ok && 'oncePerParent' in v1.value).toBe(false);
    for (const status of ['failed', 'moderated', 'cancelled'] as const) {
      expect(buildButton(input({ jobid: 'p', button: 'U1' }), parent, [{ button: 'U1', jobid: 'c', status }]).ok).toBe(true);
    }
    for (const status of ['created', 'started', 'progress', 'completed'] as const) {
      expect(buildButton(input({ jobid: 'p', button: 'U1' }), parent, [{ button: 'U1', jobid: 'c', status }])).toEqual({ ok: false, status: 409, error: ERRORS.upscaled });
    }
  });

  it('answers Vary (Region) with a clear 400 and asks Custom Zoom for a prompt', () => {
    expect(buildButton(input({ jobid: 'p', button: 'Vary (Region)' }), parent)).toEqual({ ok: false, error: ERRORS.region });
    expect(buildButton(input({ jobid: 'p', button: 'Custom Zoom' }), parent)).toEqual({ ok: false, error: ERRORS.customZoomPrompt });
    expect(buildButton(input({ jobid: 'p', button: 'Custom Zoom', prompt: 'wider --zoom 1.5' }), parent).ok).toBe(true);
  });

  it('plans /blend with 2–5 fetched images and the dimensions option', () => {
    const png = { filename: 'image1.png', contentType: 'image/png', data: Buffer.from('x') };
    const blend = command('blend');
    expect(blend.build({ fields: { blendUrls: '["a"]' }, files: { image1: png } })).toMatchObject({ ok: false });
    expect(blend.build({ fields: { blendUrls: '["a","b"]', blendDimensions: 'Portrait' }, files: { image1: png, image2: png } })).toEqual({
      ok: true,
      value: { echo: { blendUrls: ['a', 'b'], blendDimensions: 'Portrait' }, steps: [{ kind: 'slash', command: 'blend', options: { dimensions: '--ar 2:3' }, files: { image1: 'image1', image2: 'image2' }, expects: 'media' }] },
    });
    expect(blend.build({ fields: { blendUrls: '["a","b"]', blendDimensions: 'Round' }, files: { image1: png, image2: png } })).toMatchObject({ ok: false });
  });

  it('answers info, fast, relax and turbo synchronously', () => {
    for (const name of ['info', 'fast', 'relax', 'turbo']) {
      expect(command(name).answer).toBe('terminal');
      expect(command(name).build(input({}))).toMatchObject({ ok: true, value: { steps: [{ kind: 'slash', command: name, expects: 'text' }] } });
    }
  });
});

describe('Midjourney job fields', () => {
  const HASH = '8b831f86-c093-4f17-8570-2159888840aa';
  const job = (patch: Partial<JobRecord>) => ({ verb: 'midjourney-imagine', status: 'progress', maxJobs: 3, content: null, embeds: [], attachments: [], ...patch }) as unknown as JobRecord;

  it('shows the percentage and speed mode of the latest edit while running, and the useapi verb', async () => {
    const { renderMidjourneyExtras } = await import('../../../src/providers/midjourney/job-state.ts');
    expect(renderMidjourneyExtras(job({ content: '**Baby, :: --ar 1:1 --v 5.2** - <@1012670791755771985> (46%) (fast)' }))).toEqual({ verb: 'imagine', maxJobs: 3, progress: 46, mode: 'fast' });
    expect(renderMidjourneyExtras(job({ status: 'completed', content: '**cat** - <@1> (relaxed)', attachments: [{ filename: `someone_cat_${HASH}.png` }] }))).toEqual({ verb: 'imagine', maxJobs: 3, mode: 'relaxed', midjourneyJobId: HASH });
  });

  it('says when Midjourney queued the job, and lists the describe suggestions', async () => {
    const { renderMidjourneyExtras } = await import('../../../src/providers/midjourney/job-state.ts');
    expect(renderMidjourneyExtras(job({ content: '', embeds: [{ title: 'Job queued', description: 'You have reached the maximum allowed number of concurrent jobs.' }] }))).toMatchObject({ midjourneyQueued: true });
    expect(renderMidjourneyExtras(job({ verb: 'midjourney-describe', status: 'completed', embeds: [{ description: '1️⃣ a\n\n2️⃣ b' }] }))).toMatchObject({ verb: 'describe', prompts: ['1️⃣ a', '2️⃣ b'] });
  });
});
