/** `/gateway`, `/users/@me…`: who am I, my DMs, my guilds. */
import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import { requestUser } from './auth.ts';
import { cannotMessageUser, formError } from './errors.ts';

export function registerUserRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { world } = ctx;

  app.get('/gateway', async () => ({ url: ctx.urls.gateway }));

  app.get('/users/@me', async (request) => world.selfUser(requestUser(request)));

  app.get('/users/@me/guilds', async (request) => {
    const user = requestUser(request);
    return [...world.guilds.values()]
      .filter((g) => g.members.has(user.id))
      .map((g) => ({ id: g.id, name: g.name, icon: null, owner: g.ownerId === user.id, permissions: '2251799813685247', features: [] }));
  });

  app.get('/users/@me/channels', async (request) => {
    const user = requestUser(request);
    return [...world.channels.values()].filter((c) => c.type === 1 && c.recipients.includes(user.id)).map((c) => world.channelJson(c, user.id));
  });

  // Opens (or returns) a DM. Discord takes `recipients: [id]` (user clients) or `recipient_id` (bots).
  app.post('/users/@me/channels', async (request) => {
    const user = requestUser(request);
    const body = (request.body ?? {}) as { recipients?: unknown; recipient_id?: unknown };
    const recipientId = Array.isArray(body.recipients) ? body.recipients[0] : body.recipient_id;
    if (typeof recipientId !== 'string') throw formError([{ path: ['recipient_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    const other = world.users.get(recipientId);
    if (!other || other.id === user.id) throw cannotMessageUser();
    const channel = world.openDm(user.id, other.id);
    return world.channelJson(channel, user.id);
  });

  app.get('/users/@me/application-command-index', async () => ({ applications: [], application_commands: [], version: '0' }));
}
