/**
 * Finding the DM with the Midjourney bot from the token (`discoverChannel`), against scripted
 * Discord answers in the shapes Discord gives: the DM among the private channels, a DM opened when
 * there is none, useapi's "`Midjourney bot not configured" when Discord will not open one, and
 * every other Discord error left to the account service (which answers it as a 4xx).
 */
import { describe, expect, it } from 'vitest';
import { DiscordApiError } from '../../../src/discord/index.ts';
import { BOT_NOT_CONFIGURED, discoverMidjourneyDm } from '../../../src/providers/midjourney/account.ts';
import type { AccountRest } from '../../../src/providers/types.ts';

const BOT = '936929561302675456';
const dm = (id: string, recipient: string) => ({ id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: 'x', discriminator: '0', avatar: null }] });
const refusal = (status: number, code: number, kind: DiscordApiError['kind']) =>
  new DiscordApiError({ kind, status, code, method: 'POST', route: '/users/@me/channels', discordMessage: 'refused', body: { code }, retry: false });

function rest(list: unknown, open: () => unknown): AccountRest & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: async <T>(path: string) => (calls.push(`GET ${path}`), list as T),
    post: async <T>(path: string, body?: unknown) => (calls.push(`POST ${path} ${JSON.stringify(body)}`), open() as T),
  };
}

describe('discoverMidjourneyDm', () => {
  it('takes the DM whose recipient is the bot among the private channels, opening nothing', async () => {
    const r = rest([dm('1', '555'), { id: '2', type: 3, recipients: [{ id: BOT }, { id: '7' }] }, dm('3', BOT)], () => {
      throw new Error('not expected');
    });
    expect(await discoverMidjourneyDm(r)).toEqual({ ok: true, value: '3' });
    expect(r.calls).toEqual(['GET /users/@me/channels']);
  });

  it('opens the DM with the bot when there is none', async () => {
    const r = rest([dm('1', '555')], () => dm('9', BOT));
    expect(await discoverMidjourneyDm(r)).toEqual({ ok: true, value: '9' });
    expect(r.calls).toEqual(['GET /users/@me/channels', `POST /users/@me/channels {"recipients":["${BOT}"]}`]);
  });

  it('answers useapi’s text when Discord will not open a DM with the bot', async () => {
    const result = await discoverMidjourneyDm(rest([], () => { throw refusal(403, 50007, 'missing_access'); }));
    expect(result).toMatchObject({ ok: false, error: BOT_NOT_CONFIGURED, details: expect.stringContaining('50007') });
    expect(await discoverMidjourneyDm(rest([], () => ({ id: '4', type: 3, recipients: [] })))).toMatchObject({ ok: false, error: BOT_NOT_CONFIGURED });
  });

  it('leaves a rejected token, a human check or a lost connection to the account service', async () => {
    for (const error of [refusal(401, 0, 'unauthorized'), refusal(400, 0, 'captcha'), refusal(0, 0, 'network')]) {
      await expect(discoverMidjourneyDm(rest([], () => { throw error; }))).rejects.toBe(error);
    }
  });
});
