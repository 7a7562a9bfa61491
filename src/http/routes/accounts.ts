/**
 * `GET|POST|DELETE /v1/<bot>/account[/<channel>]` for every provider, per useapi A1–A4 / B1–B4.
 * "Nothing configured" is useapi's plain-text 404, not the JSON envelope.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AccountService } from '../../accounts/index.ts';
import type { Provider } from '../../providers/index.ts';
import { tenantOf } from '../authenticate.ts';
import { ApiError } from '../../errors/index.ts';

function isHidden(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/** Account bodies are three short fields; anything near this size is not an account. */
const ACCOUNT_BODY_LIMIT = 64 * 1024;

function notConfigured(reply: FastifyReply, provider: Provider): FastifyReply {
  return reply
    .code(404)
    .type('text/plain; charset=utf-8')
    .send(`Configuration not found. To create configuration use ${provider.name}/account/channel.`);
}

export function accountRoutes(app: FastifyInstance, providers: readonly Provider[], accounts: AccountService): void {
  for (const provider of providers) {
    const base = `/v1/${provider.name}/account`;

    // `?hidden=1`: the channels calls brought themselves (bring-your-own tokens), masked; always JSON.
    app.get<{ Querystring: { hidden?: string } }>(base, async (request, reply) => {
      if (isHidden(request.query.hidden)) return accounts.listHidden(tenantOf(request).id, provider);
      const list = await accounts.list(tenantOf(request).id, provider);
      return Object.keys(list).length === 0 ? notConfigured(reply, provider) : list;
    });

    app.get<{ Params: { channel: string } }>(`${base}/:channel`, async (request, reply) => {
      const account = await accounts.get(tenantOf(request).id, provider, request.params.channel);
      return account ?? notConfigured(reply, provider);
    });

    app.post<{ Params: { channel: string } }>(`${base}/:channel`, { bodyLimit: ACCOUNT_BODY_LIMIT }, async (request, reply) => {
      await accounts.save(tenantOf(request).id, provider, request.params.channel, request.body);
      return reply.code(204).send();
    });

    app.delete<{ Params: { channel: string }; Querystring: { hidden?: string } }>(`${base}/:channel`, async (request, reply) => {
      if (isHidden(request.query.hidden)) {
        if (await accounts.deleteHidden(tenantOf(request).id, provider, request.params.channel)) return reply.code(204).send();
        throw new ApiError(404, `No bring-your-own ${provider.name} account for channel ${request.params.channel}`);
      }
      const deleted = await accounts.delete(tenantOf(request).id, provider, request.params.channel);
      return deleted ? reply.code(204).send() : notConfigured(reply, provider);
    });
  }
}
