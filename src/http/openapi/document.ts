/**
 * The OpenAPI 3.1 description of the whole HTTP API, generated from what defines the routes: the
 * providers' commands and their field specs, and the response schemas in `schemas.ts`.
 */
import type { FieldSpec, Provider, ProviderCommand } from '../../providers/index.ts';
import { componentSchemas } from './schemas.ts';

type Operation = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/**
 * Every account body may name an outbound proxy, and it is shown back masked (switchboard's
 * addition to useapi's shape, issue 13): added to each provider's account schemas here, in one place.
 */
const withProxy = (schema: unknown, shown: boolean): unknown => {
  const s = schema as { properties?: Record<string, unknown> };
  const proxy = shown
    ? { type: 'string', description: "the account's outbound proxy, password masked" }
    : { type: ['string', 'null'], description: 'http://, https://, socks5:// or socks5h:// proxy URL, credentials allowed; shown back masked' };
  return { ...s, properties: { ...s.properties, proxy } };
};
/** The component name of a provider's account schema: `pika` → `PikaAccount`. */
const accountComponent = (provider: Provider) => `${provider.name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}Account`;
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const retryAfter = { 'Retry-After': { description: 'seconds to wait, when the wait is known (an account cooling down or unreachable)', schema: { type: 'integer', minimum: 1 } } };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [String(code), { ...json(ref('Error'), ERROR_TEXT[code] ?? 'error'), ...(code === 429 ? { headers: retryAfter } : {}) }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'a parameter is missing or invalid',
  401: 'missing or unknown API token',
  404: 'not found (job, channel, configuration)',
  403: 'the API token holds as many accounts as it may (SWITCHBOARD_MAX_ACCOUNTS_PER_TENANT)',
  409: 'a conflict: the job has already ended, the Discord account belongs to another API token, or the channel still runs jobs sent with another token',
  413: 'body or file too large',
  415: 'unsupported content type',
  422: 'the bot refused the job (failed / moderated): the body is the job',
  429: 'every eligible slot is busy (`executingJobs` lists the running jobs), the account is cooling down, or a rate limit or cap was reached',
  503: 'the store is not reachable',
  596: 'the account needs a human (captcha, verification, moderation) or Discord rejected its token',
};

function formSchema(fields: readonly FieldSpec[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(
      fields.map((f) => [f.name, f.kind === 'file' ? { type: 'string', format: 'binary', description: f.description } : { type: 'string', description: f.description, ...(f.maxLength ? { maxLength: f.maxLength } : {}) }]),
    ),
    required: fields.filter((f) => f.required).map((f) => f.name),
  };
}

function commandOperation(provider: Provider, command: ProviderCommand): Operation {
  const text = command.fields.filter((f) => f.kind === 'text');
  return {
    tags: [provider.name],
    operationId: `${provider.name}_${command.name}`,
    summary: `${provider.name} /${command.name}`,
    description:
      command.answer === 'terminal'
        ? 'Runs the command and answers with the finished job (or its current state if it runs long).'
        : 'Submits the command and answers once the bot has accepted it (`started`), or at once when it waits in the queue (`created`); poll `jobs/?jobid=` or use `replyUrl`.',
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': { schema: formSchema(command.fields) },
        ...(command.fields.every((f) => f.kind === 'text' || !f.required) ? { 'application/json': { schema: formSchema(text) } } : {}),
      },
    },
    responses: { '200': json(ref('Job'), 'the job'), '422': json(ref('Job'), ERROR_TEXT[422]!), ...errors(400, 401, 403, 404, 409, 413, 429, 596), '504': json(ref('Job'), 'the bot did not answer in time: the body is the failed job') },
  };
}

function accountPaths(provider: Provider): Record<string, Record<string, Operation>> {
  const account = accountComponent(provider);
  const plain404 = { description: 'nothing configured (plain text, as useapi)', content: { 'text/plain': { schema: { type: 'string' } } } };
  const channel = { name: 'channel', in: 'path', required: true, schema: { type: 'string' }, description: 'Discord channel id' };
  const tags = [provider.name];
  const hidden = { name: 'hidden', in: 'query', required: false, schema: { type: 'string', enum: ['1', 'true'] }, description: 'the bring-your-own accounts (channels that calls brought with their own `discord` token) instead of the configured ones' };
  return {
    [`/v1/${provider.name}/account`]: {
      get: {
        tags,
        operationId: `${provider.name}_accounts`,
        summary: 'List configured accounts, keyed by channel (with `?hidden=1`: the bring-your-own ones, masked)',
        parameters: [hidden],
        responses: { '200': json({ type: 'object', additionalProperties: { anyOf: [ref(account), HIDDEN_ACCOUNT] } }, 'accounts, keyed by channel'), '401': errors(401)['401'], '404': plain404 },
      },
    },
    [`/v1/${provider.name}/account/{channel}`]: {
      get: { tags, operationId: `${provider.name}_account`, parameters: [channel], responses: { '200': json(ref(account), 'the account'), ...errors(401), '404': plain404 } },
      post: {
        tags,
        operationId: `${provider.name}_account_save`,
        summary: 'Create or update an account (verified against Discord)',
        parameters: [channel],
        requestBody: { required: true, content: { 'application/json': { schema: withProxy(provider.account.schema.request, false) } } },
        responses: { '204': { description: 'saved' }, ...errors(400, 401, 403, 409, 413, 415, 429) },
      },
      delete: { tags, operationId: `${provider.name}_account_delete`, parameters: [channel, hidden], responses: { '204': { description: 'deleted' }, ...errors(401), '404': { description: 'nothing configured (plain text, as useapi; with `?hidden=1` the JSON error envelope)', content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: ref('Error') } } } } },
    },
  };
}

function jobPaths(provider: Provider): Record<string, Record<string, Operation>> {
  const tags = [provider.name];
  const jobid = { name: 'jobid', in: 'query', required: false, schema: { type: 'string' }, description: 'a job id; without it the executing job ids are listed' };
  return {
    [`/v1/${provider.name}/jobs`]: {
      get: { tags, operationId: `${provider.name}_jobs`, summary: 'One job (`?jobid=`), or the ids of the executing jobs', parameters: [jobid], responses: { '200': json({ oneOf: [ref('Job'), ref('JobIds')] }, 'the job, or the executing job ids'), ...errors(400, 401, 404) } },
    },
    [`/v1/${provider.name}/jobs/cancel`]: {
      get: { tags, operationId: `${provider.name}_cancel`, parameters: [{ ...jobid, required: true, description: 'the job to cancel' }], responses: { '200': json(ref('Cancelled'), 'cancelled'), ...errors(400, 401, 404, 409) } },
    },
  };
}

const loose = { type: 'object' };
/** A bring-your-own account as `GET …/account?hidden=1` lists it. */
const HIDDEN_ACCOUNT = {
  type: 'object',
  properties: { channel: { type: 'string' }, discord: { type: 'string', description: 'masked' }, maxJobs: { type: 'integer' }, health: { type: 'string' }, lastUsed: { type: 'string', format: 'date-time' } },
  required: ['channel', 'discord', 'health', 'lastUsed'],
  additionalProperties: false,
};

export function openApiDocument(providers: readonly Provider[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {
    '/healthz': { get: { tags: ['operations'], operationId: 'healthz', security: [], responses: { '200': json(loose, 'the process is up') } } },
    '/readyz': { get: { tags: ['operations'], operationId: 'readyz', security: [], responses: { '200': json(loose, 'the store answers'), ...errors(503) } } },
    '/metrics': { get: { tags: ['operations'], operationId: 'metrics', security: [], responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { tags: ['operations'], operationId: 'openapi', security: [], responses: { '200': json(loose, 'this document') } } },
    '/docs': { get: { tags: ['operations'], operationId: 'docs', security: [], responses: { '200': { description: 'API browser (HTML)', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/dashboard': { get: { tags: ['operations'], operationId: 'dashboard', security: [], responses: { '200': { description: 'the dashboard (HTML)', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/v1/webhooks/secret': { get: { tags: ['webhooks'], operationId: 'webhook_secret', summary: 'Your webhook signing secret', responses: { '200': json(ref('WebhookSecret'), 'the secret and how signatures are made'), ...errors(401) } } },
    '/v1/webhooks/deliveries': {
      get: { tags: ['webhooks'], operationId: 'webhook_deliveries', summary: "A job's webhook delivery log", parameters: [{ name: 'jobid', in: 'query', required: true, schema: { type: 'string' } }], responses: { '200': json(ref('Deliveries'), 'deliveries'), ...errors(400, 401) } },
    },
    '/v1/webhooks/deliveries/{id}/redeliver': {
      post: { tags: ['webhooks'], operationId: 'webhook_redeliver', summary: 'Send a finished (failed or delivered) delivery again, now', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '202': json(loose, 'the delivery, pending again'), ...errors(401, 404, 409) } },
    },
    '/v1/webhooks/alerts': {
      get: { tags: ['webhooks'], operationId: 'alerts_get', summary: 'Your alert URL and its recent deliveries', responses: { '200': json(ref('AlertSettings'), 'the alert URL (null when none) and recent alert deliveries'), ...errors(401) } },
      post: {
        tags: ['webhooks'],
        operationId: 'alerts_set',
        summary: 'Set the URL account health events (account.health_changed) are POSTed to',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { url: { type: 'string', maxLength: 1024 } }, required: ['url'] } } } },
        responses: { '200': json(ref('AlertSettings'), 'the alert URL'), ...errors(400, 401) },
      },
      delete: { tags: ['webhooks'], operationId: 'alerts_delete', summary: 'Stop sending alerts', responses: { '204': { description: 'cleared' }, ...errors(401) } },
    },
    '/v1/results/{jobid}/{index}': {
      get: {
        tags: ['jobs'],
        operationId: 'result_file',
        summary: 'A retained result file of a job',
        parameters: [
          { name: 'jobid', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': { description: 'the file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errors(401, 404) },
      },
    },
    '/v1/dashboard/overview': { get: { tags: ['dashboard'], operationId: 'dashboard_overview', summary: 'Accounts, live jobs and recent failures of your tenant', responses: { '200': json(loose, 'overview'), ...errors(401) } } },
    '/v1/dashboard/accounts/{id}/probe': {
      post: { tags: ['dashboard'], operationId: 'dashboard_probe', summary: 'Re-probe an account now', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': json(loose, 'the account after the probe'), ...errors(401, 404, 409) } },
    },
  };
  for (const provider of providers) {
    if (provider.routes) {
      Object.assign(paths, provider.routes.openapi());
      continue;
    }
    Object.assign(paths, accountPaths(provider), jobPaths(provider));
    for (const command of provider.commands) paths[`/v1/${provider.name}/${command.name}`] = { [command.method.toLowerCase()]: commandOperation(provider, command) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'switchboard',
      version,
      description: `A self-hosted gateway to Discord bots (${providers.map((p) => p.title ?? p.name).join(', ')}), compatible with useapi.net's API v1 for each.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...providers.map((p) => ({ name: p.name })), { name: 'jobs' }, { name: 'webhooks' }, { name: 'dashboard' }, { name: 'operations' }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from `switchboard token create`' } }, schemas: { ...componentSchemas, ...Object.fromEntries(providers.map((p) => [accountComponent(p), withProxy(p.account.schema.response, true)])) } },
  };
}
