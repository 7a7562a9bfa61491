/**
 * OpenAPI 3.1 path items of the Midjourney v2 routes (`http.ts`), referring to the shared
 * component schemas (`Job`, `JobIds`, `Cancelled`, `Error`) and the `MidjourneyAccount` component the document builds from the account spec's schema.
 */
import type { FieldSpec, ProviderCommand } from '../types.ts';
import { midjourneyCommands } from './commands.ts';

type Operation = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const tags = ['midjourney'];

const ERRORS: Record<number, string> = {
  400: 'a parameter is missing or invalid (useapi’s texts), a URL cannot be retrieved, or the button is not on the job',
  401: 'missing or unknown API token',
  404: 'job, channel or configuration not found',
  409: 'U1–U4 already pressed on this job (`button`, `jobid` say which)',
  429: 'every eligible account runs maxJobs jobs (`executingJobs` lists them), or the account is cooling down',
  596: 'the account has a pending moderation message or CAPTCHA from Midjourney: deal with it in Discord, then POST …/reset',
};
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), error(ERRORS[c]!)]));

function bodySchema(all: readonly FieldSpec[]): Record<string, unknown> {
  // Files are the images fetched from the URLs, not part of the JSON body.
  const fields = all.filter((f) => f.kind === 'text');
  return {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((f) => [
        f.name,
        f.name === 'blendUrls'
          ? { type: 'array', items: { type: 'string', format: 'uri' }, minItems: 2, maxItems: 5, description: f.description }
          : f.name === 'maxJobs'
            ? { type: ['integer', 'string'], description: f.description }
            : { type: 'string', description: f.description, ...(f.maxLength ? { maxLength: f.maxLength } : {}) },
      ]),
    ),
    required: fields.filter((f) => f.required).map((f) => f.name),
  };
}

function commandOperation(command: ProviderCommand): Operation {
  const sync = command.answer === 'terminal';
  return {
    tags,
    operationId: `midjourney_${command.name}`,
    summary: `Midjourney /${command.name === 'button' ? 'button press' : command.name}`,
    description: sync
      ? 'Runs the command and answers with the completed job (its `content`/`embeds` hold the bot’s reply).'
      : 'Submits the job and answers once Midjourney has accepted it (`started`). Poll `GET /v2/jobs/?jobid=` or use `replyUrl`. A job Midjourney queues ("Job queued") keeps being tracked instead of useapi’s 504.',
    requestBody: { required: !sync, content: { 'application/json': { schema: bodySchema(command.fields) } } },
    responses: {
      '200': json(ref('Job'), 'the job'),
      '422': json(ref('Job'), 'moderated or refused by Midjourney: the body is the job (`status: moderated` or `failed`)'),
      ...errors(400, 401, 404, ...(command.name === 'button' ? [409] : []), 429, 596),
    },
  };
}

export function midjourneyOpenApi(): Record<string, Record<string, Operation>> {
  const channel = { name: 'channel', in: 'path', required: true, schema: { type: 'string' }, description: 'the DM channel with the Midjourney bot' };
  const plain404 = { description: 'not configured (plain text, as useapi)', content: { 'text/plain': { schema: { type: 'string' } } } };
  const jobid = { name: 'jobid', in: 'query', required: false, schema: { type: 'string' }, description: 'a job id; without it the executing job ids are listed' };
  const discovered = {
    type: 'object',
    properties: { discord: { type: 'string', description: 'masked: `<ABC…secured…xyz>`' }, channel: { type: 'string', description: 'the DM channel with the Midjourney bot, as found' }, maxJobs: { type: 'integer', minimum: 1, maximum: 15 } },
    required: ['discord', 'channel', 'maxJobs'],
    additionalProperties: false,
  };
  const paths: Record<string, Record<string, Operation>> = {
    '/v2/account/midjourney': {
      get: { tags, operationId: 'midjourney_accounts', summary: 'Midjourney accounts, keyed by channel', responses: { '200': json({ type: 'object', additionalProperties: ref('MidjourneyAccount') }, 'accounts'), ...errors(401), '404': plain404 } },
      post: {
        tags,
        operationId: 'midjourney_account_discover',
        summary: 'Create or update an account from its token alone: the DM channel with the Midjourney bot is found (or opened) for it',
        description:
          'useapi’s August 2025 form. switchboard lists the account’s private channels and picks the DM with the Midjourney bot, or opens it, with the account’s own client identity and proxy; then saves the account as `POST /v2/account/midjourney/{channel}` would (verified against Discord). Discord’s refusals and failures are 4xx: a rejected token, a human check, no way to the bot (`` `Midjourney bot not configured ``), Discord or the proxy unreachable (nothing is saved).',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  discord: { type: 'string', description: 'the Discord token' },
                  maxJobs: { type: ['integer', 'string'], minimum: 1, maximum: 15, description: 'default 3' },
                  server: { type: 'string' },
                  replyUrl: { type: 'string', maxLength: 1024 },
                  proxy: { type: ['string', 'null'], description: 'http://, https://, socks5:// or socks5h:// proxy URL, credentials allowed; the discovery goes through it too' },
                },
                required: ['discord'],
              },
            },
          },
        },
        responses: {
          '200': json(discovered, 'an existing account was updated'),
          '201': json(discovered, 'a new account was created'),
          ...errors(400, 401, 429),
        },
      },
    },
    '/v2/account/midjourney/{channel}': {
      get: { tags, operationId: 'midjourney_account', parameters: [channel], responses: { '200': json(ref('MidjourneyAccount'), 'the account'), ...errors(401), '404': plain404 } },
      post: {
        tags,
        operationId: 'midjourney_account_save',
        summary: 'Create or update an account (verified against Discord)',
        parameters: [channel],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', properties: { discord: { type: 'string' }, channel: { type: 'string' }, server: { type: 'string' }, maxJobs: { type: ['integer', 'string'], minimum: 1, maximum: 15 }, replyUrl: { type: 'string', maxLength: 1024 } }, required: ['discord', 'channel', 'maxJobs'] },
            },
          },
        },
        responses: { '204': { description: 'saved' }, ...errors(400, 401) },
      },
      delete: { tags, operationId: 'midjourney_account_delete', parameters: [channel], responses: { '204': { description: 'deleted' }, ...errors(401), '404': plain404 } },
    },
    '/v2/account/midjourney/{channel}/reset': {
      post: { tags, operationId: 'midjourney_account_reset', summary: 'Put the account back in rotation after a human dealt with Midjourney’s moderation message or CAPTCHA', parameters: [channel], responses: { '204': { description: 'reset' }, ...errors(401), '404': plain404 } },
    },
    '/v2/jobs': {
      get: { tags, operationId: 'midjourney_jobs', summary: 'One job (`?jobid=`), or the ids of the executing jobs', parameters: [jobid], responses: { '200': json({ oneOf: [ref('Job'), ref('JobIds')] }, 'the job (with `children`), or the executing job ids'), ...errors(400, 401, 404, 596) } },
    },
    '/v2/jobs/cancel': {
      get: { tags, operationId: 'midjourney_cancel', parameters: [{ ...jobid, required: true, description: 'the job to cancel' }], responses: { '200': json(ref('Cancelled'), 'cancelled'), ...errors(400, 401, 404, 596) } },
    },
  };
  for (const command of midjourneyCommands) paths[`/v2/jobs/${command.name}`] = { post: commandOperation(command) };
  return paths;
}
