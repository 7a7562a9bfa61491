/**
 * The HTTP control API under `/_simulator` (JSON, no Discord auth): the same operations as
 * {@link Control}, for the CLI, demos and switchboard processes outside the test's process.
 * Errors answer `{ error }` with 400 (bad input), 404 (unknown id) or 409 (conflict).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Control, ControlError } from './control.ts';
import type { BotName, RestFault, RestFaultMatch } from './types.ts';

export type Body = Record<string, unknown>;
type Handler = (params: Record<string, string>, body: Body) => unknown;
/** One control route: its method, its path under the prefix, and what it does (undefined → 204). */
export type ControlRoute = [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, handler: Handler];

export const num = (body: Body, key: string, fallback?: number): number => {
  const value = body[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlError(`${key} must be a number`, 400);
  return value;
};
const optStr = (body: Body, key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
const bot = (value: string | undefined): BotName => {
  if (value !== 'faceswap' && value !== 'pika' && value !== 'midjourney') throw new ControlError('bot must be faceswap, pika or midjourney', 400);
  return value;
};
const userOptions = (body: Body) => ({ ...(optStr(body, 'username') ? { username: optStr(body, 'username')! } : {}), ...(optStr(body, 'token') ? { token: optStr(body, 'token')! } : {}) });

export function registerControlRoutes(app: FastifyInstance, control: Control, info: () => Record<string, unknown>): void {
  const routes: ControlRoute[] = [
    ['GET', '', () => info()],
    ['POST', '/users', (_p, b) => control.createUser(userOptions(b))],
    ['GET', '/users/:userId', (p) => control.getUser(p.userId!) ?? (() => { throw new ControlError('unknown user'); })()],
    ['POST', '/guilds', (_p, b) => control.createGuild(String(b.ownerId ?? ''), optStr(b, 'name') ? { name: optStr(b, 'name')! } : {})],
    ['POST', '/guilds/:guildId/members', (p, b) => control.addGuildMember(p.guildId!, String(b.userId ?? ''))],
    ['POST', '/guilds/:guildId/channels', (p, b) => control.createTextChannel(p.guildId!, optStr(b, 'name') ? { name: optStr(b, 'name')! } : {})],
    ['POST', '/guilds/:guildId/faceswap', (p) => control.installFaceswapBot(p.guildId!)],
    ['POST', '/users/:userId/pika-dm', (p) => ({ channelId: control.openPikaDm(p.userId!) })],
    ['POST', '/accounts/faceswap', (_p, b) => control.createFaceswapAccount(userOptions(b))],
    ['POST', '/accounts/pika', (_p, b) => control.createPikaAccount(userOptions(b))],
    ['POST', '/accounts/demo', () => control.demoAccounts()],
    ['POST', '/users/:userId/revoke', (p) => control.revokeToken(p.userId!)],
    ['POST', '/users/:userId/restore', (p) => control.restoreToken(p.userId!)],
    ['PUT', '/users/:userId/required-action', (p, b) => control.setRequiredAction(p.userId!, optStr(b, 'action') ?? null)],
    ['GET', '/users/:userId/credits', (p) => control.getCredits(p.userId!)],
    ['PUT', '/users/:userId/credits', (p, b) => {
      control.setCredits(p.userId!, { ...(b.total !== undefined ? { total: num(b, 'total') } : {}), ...(b.used !== undefined ? { used: num(b, 'used') } : {}) });
      return control.getCredits(p.userId!);
    }],
    ['PUT', '/bot-latency', (_p, b) => control.setBotLatency(num(b, 'ms'))],
    ['POST', '/bots/drop', (_p, b) => control.dropNextInteractions(num(b, 'count', 1), b.bot === undefined ? undefined : bot(optStr(b, 'bot')))],
    ['GET', '/bots/:bot/commands', (p) => control.listCommands(bot(p.bot))],
    ['DELETE', '/bots/:bot/commands/:name', (p) => control.removeCommand(bot(p.bot), p.name!)],
    ['PUT', '/bots/:bot/commands/:name/options/:option', (p, b) => control.renameCommandOption(bot(p.bot), p.name!, p.option!, String(b.name ?? ''))],
    ['DELETE', '/guilds/:guildId/faceswap', (p) => control.removeFaceswapBot(p.guildId!)],
    ['POST', '/bots/:bot/commands/:name/bump', (p) => ({ version: control.bumpCommandVersion(bot(p.bot), p.name!) })],
    ['PUT', '/pika/banned-words', (_p, b) => control.setBannedWords(Array.isArray(b.words) ? b.words.map(String) : [])],
    ['PUT', '/pika/templates', (_p, b) => control.setPikaTemplates(b)],
    ['PUT', '/pika/concurrency', (_p, b) => control.setPikaConcurrency(num(b, 'limit'))],
    ['PUT', '/faceswap/templates', (_p, b) => control.setFaceswapTemplates(b)],
    ['PUT', '/faceswap/result-style', (_p, b) => control.setFaceswapResultStyle(b.style as 'message' | 'follow-up')],
    ['PUT', '/faceswap/style', (_p, b) => control.setFaceswapStyle(b)],
    ['POST', '/faceswap/answer-late', (_p, b) => control.answerLateNextFaceswapJobs(num(b, 'count', 1))],
    ['POST', '/faceswap/fail-next', (_p, b) => {
      const kind = b.kind === 'botError' ? 'botError' : b.kind === 'noFace' ? 'noFace' : undefined;
      if (!kind) throw new ControlError('kind must be noFace or botError', 400);
      control.failNextFaceswapJobs(num(b, 'count', 1), kind);
    }],
    ['POST', '/users/:userId/faults', (p, b) => {
      if (!b.fault || typeof b.fault !== 'object') throw new ControlError('fault is required', 400);
      control.injectRestFault(p.userId!, b.fault as RestFault, num(b, 'count', 1), (b.match ?? {}) as RestFaultMatch);
    }],
    ['DELETE', '/users/:userId/faults', (p) => control.clearRestFaults(p.userId!)],
    ['DELETE', '/faults', () => control.clearRestFaults()],
    ['GET', '/users/:userId/gateway', (p) => ({ connected: control.connectedSessions(p.userId!) })],
    ['POST', '/users/:userId/gateway/close', (p, b) => ({ closed: control.closeSessions(p.userId!, num(b, 'code'), optStr(b, 'reason')) })],
    ['POST', '/users/:userId/gateway/reconnect', (p) => ({ sent: control.sendReconnect(p.userId!) })],
    ['POST', '/users/:userId/gateway/invalidate', (p, b) => ({ sent: control.sendInvalidSession(p.userId!, b.resumable === true) })],
    ['POST', '/users/:userId/gateway/suppress-acks', (p, b) => control.suppressHeartbeatAcks(p.userId!, num(b, 'count', 1))],
    ['DELETE', '/channels/:channelId/messages/:messageId', (p) => control.deleteMessage(p.channelId!, p.messageId!)],
    ['POST', '/time/advance', (_p, b) => control.advanceTime(num(b, 'ms'))],
    ['GET', '/report', () => control.report()],
    ['DELETE', '/report', () => control.resetReport()],
  ];
  mountControlRoutes(app, '/_simulator', routes);
}

/** Serves control routes under `prefix`: JSON in, the handler's value out (204 when none), a ControlError as its status. */
export function mountControlRoutes(app: FastifyInstance, prefix: string, routes: readonly ControlRoute[]): void {
  for (const [method, url, handler] of routes) {
    app.route({
      method,
      url: `${prefix}${url}`,
      handler: async (request: FastifyRequest, reply) => {
        try {
          const result = handler(request.params as Record<string, string>, (request.body ?? {}) as Body);
          return result === undefined ? reply.code(204).send() : reply.send(result);
        } catch (error) {
          if (error instanceof ControlError) return reply.code(error.status).send({ error: error.message });
          throw error;
        }
      },
    });
  }
}
