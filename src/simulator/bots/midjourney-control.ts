/**
 * The simulated Midjourney bot's knobs ({@link MidjourneyControl}) and their HTTP twins under
 * `/_simulator/midjourney/…` (JSON; errors `{ error }` with 400/404 like the rest of the control API).
 */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { ControlError, type Control } from '../control.ts';
import { mountControlRoutes, num, type Body, type ControlRoute } from '../control-http.ts';
import type { MidjourneyAccount, MidjourneyControl, MidjourneyStyleOptions, MidjourneyUserSettings } from '../types.ts';

export class MidjourneyControlImpl implements MidjourneyControl {
  constructor(
    private readonly ctx: SimContext,
    private readonly control: Control,
  ) {}

  createAccount(options: { username?: string; token?: string } = {}): MidjourneyAccount {
    const user = this.control.createUser(options);
    return { user, channelId: this.openDm(user.id), applicationId: this.ctx.midjourney.application.id };
  }

  openDm(userId: string): string {
    this.userRecord(userId);
    return this.ctx.world.openDm(userId, this.ctx.midjourney.application.botUserId).id;
  }

  getUser(userId: string): MidjourneyUserSettings {
    this.userRecord(userId);
    return { ...this.ctx.midjourney.user(userId) };
  }

  setUser(userId: string, settings: Partial<MidjourneyUserSettings>): MidjourneyUserSettings {
    this.userRecord(userId);
    const state = this.ctx.midjourney.user(userId);
    if (settings.mode !== undefined && !['fast', 'relaxed', 'turbo'].includes(settings.mode)) throw new ControlError('mode must be fast, relaxed or turbo', 400);
    for (const key of ['remix', 'pendingModeration', 'captcha'] as const) {
      if (settings[key] !== undefined && typeof settings[key] !== 'boolean') throw new ControlError(`${key} must be a boolean`, 400);
    }
    for (const key of ['fastHoursTotal', 'fastHoursUsed'] as const) {
      if (settings[key] !== undefined && (typeof settings[key] !== 'number' || !Number.isFinite(settings[key]) || settings[key] < 0)) throw new ControlError(`${key} must be a number ≥ 0`, 400);
    }
    const known = ['mode', 'remix', 'fastHoursTotal', 'fastHoursUsed', 'pendingModeration', 'captcha'] as const;
    for (const key of known) if (settings[key] !== undefined) (state as unknown as Record<string, unknown>)[key] = settings[key];
    return { ...state };
  }

  setStyle(style: Partial<MidjourneyStyleOptions>): void {
    if (style.wording !== undefined && style.wording !== 'current' && style.wording !== 'legacy') throw new ControlError('wording must be current or legacy', 400);
    for (const key of ['finalNonce', 'deleteProgress'] as const) {
      if (style[key] !== undefined && typeof style[key] !== 'boolean') throw new ControlError(`${key} must be a boolean`, 400);
    }
    const bot = this.ctx.midjourney;
    bot.style = { ...bot.style, ...Object.fromEntries(Object.entries(style).filter(([k, v]) => v !== undefined && k in bot.style)) };
  }

  setConcurrency(limit: number, queueSize?: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new ControlError('limit must be a whole number ≥ 1', 400);
    this.ctx.midjourney.concurrency = limit;
    if (queueSize !== undefined) {
      if (!Number.isInteger(queueSize) || queueSize < 0) throw new ControlError('queueSize must be a whole number ≥ 0', 400);
      this.ctx.midjourney.queueSize = queueSize;
    }
  }

  setBannedWords(words: string[]): void {
    this.ctx.midjourney.bannedWords = words.map(String);
  }

  setDoubtfulWords(words: string[]): void {
    this.ctx.midjourney.doubtfulWords = words.map(String);
  }

  failNextJobs(count: number, title?: string): void {
    if (!Number.isInteger(count) || count < 0) throw new ControlError('count must be a whole number ≥ 0', 400);
    this.ctx.midjourney.failNextJobs(count, title);
  }

  private userRecord(userId: string) {
    const user = this.ctx.world.users.get(userId);
    if (!user || user.bot) throw new ControlError(`unknown user ${userId}`);
    return user;
  }
}

const words = (b: Body) => (Array.isArray(b.words) ? b.words.map(String) : []);

export function registerMidjourneyControlRoutes(app: FastifyInstance, control: MidjourneyControl): void {
  const routes: ControlRoute[] = [
    ['POST', '/accounts', (_p, b) => control.createAccount({ ...(typeof b.username === 'string' ? { username: b.username } : {}), ...(typeof b.token === 'string' ? { token: b.token } : {}) })],
    ['POST', '/users/:userId/dm', (p) => ({ channelId: control.openDm(p.userId!) })],
    ['GET', '/users/:userId', (p) => control.getUser(p.userId!)],
    ['PUT', '/users/:userId', (p, b) => control.setUser(p.userId!, b as Partial<MidjourneyUserSettings>)],
    ['PUT', '/style', (_p, b) => control.setStyle(b as Partial<MidjourneyStyleOptions>)],
    ['PUT', '/concurrency', (_p, b) => control.setConcurrency(num(b, 'limit'), b.queueSize === undefined ? undefined : num(b, 'queueSize'))],
    ['PUT', '/banned-words', (_p, b) => control.setBannedWords(words(b))],
    ['PUT', '/doubtful-words', (_p, b) => control.setDoubtfulWords(words(b))],
    ['POST', '/fail-next', (_p, b) => control.failNextJobs(num(b, 'count', 1), typeof b.title === 'string' ? b.title : undefined)],
  ];
  mountControlRoutes(app, '/_simulator/midjourney', routes);
}
