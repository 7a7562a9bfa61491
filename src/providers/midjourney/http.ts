/**
 * useapi's Midjourney API v2 surface (midjourney.md A.2–A.11), served by the Midjourney provider
 * itself because its paths are not `/v1/<bot>/…`:
 *
 *     GET|POST|DELETE /v2/account/midjourney[/{channel}]   POST /v2/account/midjourney/{channel}/reset
 *     POST /v2/account/midjourney   (the DM channel found from the token)
 *     POST /v2/jobs/imagine|button|blend|describe|info|fast|relax|turbo
 *     GET  /v2/jobs   GET /v2/jobs/?jobid=   GET /v2/jobs/cancel/?jobid=
 *
 * Submission, selection, capacity (429 + `executingJobs`), queueing, the runner and webhooks are
 * the shared job machinery; this module adds what is Midjourney's own: JSON bodies with
 * `blendUrls` arrays, image URLs fetched at submission, U1–U4 once per parent (409), and 596 while
 * an account waits for a human (pending moderation message, CAPTCHA) until `…/reset`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, badRequest, OncePerParentConflict } from '../../errors/index.ts';
import { isTerminal, type AccountRecord, type JobRecord, type TenantRecord } from '../../store/index.ts';
import type { CommandInput, Provider, ProviderCommand, ProviderHttpServices } from '../types.ts';
// The job-id module itself, not the jobs index: that one loads the provider registry (a cycle).
import { maskToken } from '../../jobs/job-id.ts';
import { DEFAULT_MAX_JOBS, pendingModMessage } from './account.ts';
import { buildButton, upscaledConflict } from './commands.ts';
import { fetchImage, fetchImages } from './images.ts';
import { childLinks, type ChildLink } from './job-state.ts';

export interface MidjourneyHttpDeps extends ProviderHttpServices {
  provider: Provider;
}

/** useapi's 596 text (A.2, A.13). */
export const PENDING_MOD_MESSAGE_ERROR =
  'Your Discord account has received a pending moderation message from Midjourney. Please address this issue and reset pendingModMessage before making any new API calls';

const NOT_CONFIGURED = 'Configuration not found. To create configuration use account/midjourney/channel.';
/** How long an asynchronous command waits for the bot to accept the job before answering anyway. */
const ACCEPT_WAIT_MS = 60_000;

const fullText = (verb: string) =>
  verb === 'imagine'
    ? 'API query is full and can not accept new jobs/imagine requests or Discord rate limit detected. Please wait at least 10..30 seconds and retry again.'
    : `API query is full and can not accept new jobs/${verb} requests. Please wait at least 10..30 seconds and retry again.`;

function notConfigured(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send(NOT_CONFIGURED);
}

/** A JSON body as command fields: scalars as strings, `blendUrls` as a JSON array of strings. */
export function readJsonInput(body: unknown): CommandInput {
  if (body === undefined || body === null) return { fields: {}, files: {} };
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    if (name === 'blendUrls') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest('Param blendUrls must be an array of URL strings');
      fields.blendUrls = JSON.stringify(value.map((v: string) => v.trim()));
      continue;
    }
    if (typeof value === 'object') throw badRequest(`Param ${name} must be a string`);
    fields[name] = String(value);
  }
  return { fields, files: {} };
}

export function midjourneyRoutes(app: FastifyInstance, deps: MidjourneyHttpDeps): void {
  const { provider, accounts, jobs } = deps;
  const children = async (tenantId: string, jobid: string): Promise<ChildLink[]> => childLinks(await deps.store.jobs.listChildren(tenantId, jobid));

  /** Back in rotation: the stored health is replaced (a fresh start), and the health monitor follows. */
  async function reset(account: AccountRecord): Promise<void> {
    const now = Date.now();
    const health = { state: 'active' as const, reason: 'reset', detail: null, failures: 0, since: now, until: null, nextProbeAt: null };
    await deps.store.accounts.setHealth(account.id, health, now);
    deps.accountChanged({ ...account, health });
  }
  const account = '/v2/account/midjourney';

  const listed = async (tenantId: string) => (await deps.store.accounts.list(tenantId, provider.name)).filter((a) => a.listed);

  /** 596 when the account a call would use waits for a human: named (channel, parent) or, unnamed, every account. */
  async function refusePending(tenantId: string, channel: string | undefined): Promise<void> {
    const all = await listed(tenantId);
    const targets = channel !== undefined ? all.filter((a) => a.channel === channel) : all;
    if (targets.length > 0 && targets.every((a) => pendingModMessage(a) !== undefined)) {
      throw new ApiError(596, PENDING_MOD_MESSAGE_ERROR, targets.map((a) => `${a.channel}: ${pendingModMessage(a)}`).join('; '));
    }
  }

  app.get(account, async (request, reply) => {
    const list = await accounts.list(deps.tenant(request).id, provider);
    return Object.keys(list).length === 0 ? notConfigured(reply) : list;
  });

  app.get<{ Params: { channel: string } }>(`${account}/:channel`, async (request, reply) => {
    const found = await accounts.get(deps.tenant(request).id, provider, request.params.channel);
    return found ?? notConfigured(reply);
  });

  // useapi's August 2025 form (A.3): the DM channel with the bot is found from the token, through
  // the account's own client (identity and proxy); then saved as `POST …/{channel}` would.
  // 201 for a new account, 200 for an update (useapi's codes are not public; v3 uses 201 for new).
  app.post(account, { bodyLimit: 64 * 1024 }, async (request, reply) => {
    const { account: saved, created } = await accounts.saveDiscovered(deps.tenant(request).id, provider, request.body);
    const discord = (request.body as { discord: string }).discord.trim();
    return reply.code(created ? 201 : 200).send({ discord: maskToken(discord), channel: saved.channel, maxJobs: saved.maxJobs ?? DEFAULT_MAX_JOBS });
  });

  app.post<{ Params: { channel: string } }>(`${account}/:channel`, { bodyLimit: 64 * 1024 }, async (request, reply) => {
    await accounts.save(deps.tenant(request).id, provider, request.params.channel, request.body);
    return reply.code(204).send();
  });

  app.delete<{ Params: { channel: string } }>(`${account}/:channel`, async (request, reply) => {
    return (await accounts.delete(deps.tenant(request).id, provider, request.params.channel)) ? reply.code(204).send() : notConfigured(reply);
  });

  app.post<{ Params: { channel: string } }>(`${account}/:channel/reset`, async (request, reply) => {
    const found = (await listed(deps.tenant(request).id)).find((a) => a.channel === request.params.channel);
    if (!found) return notConfigured(reply);
    await reset(found);
    return reply.code(204).send();
  });

  for (const command of provider.commands) {
    app.post(`/v2/jobs/${command.name}`, async (request, reply) => {
      const tenant = deps.tenant(request);
      // useapi's v2 takes JSON only: any other body (multipart, form, text) is refused as such, not read as empty.
      const type = request.headers['content-type'];
      if (type !== undefined && !/^application\/json\b/i.test(type)) throw new ApiError(415, 'Content-Type must be application/json');
      const input = readJsonInput(request.body);
      const parent = command.selection === 'parent' ? await parentOf(tenant, input) : undefined;
      await refusePending(tenant.id, parent?.channel ?? (input.fields.channel?.trim() || undefined));
      const prepared = await prepare(tenant, command, input, parent);
      let job: JobRecord;
      try {
        job = await jobs.submit(tenant, provider, command, prepared);
      } catch (error) {
        if (error instanceof ApiError && error.status === 429) throw new ApiError(429, fullText(command.name), error.message, error.extra);
        // A U1–U4 that lost a race to a simultaneous press (the store's once-per-parent key):
        // the same answer as when the first one had already been seen (prepare).
        if (error instanceof OncePerParentConflict) throw conflict(error.key, error.parentJobId);
        throw error;
      }
      const wait = command.answer === 'terminal' ? command.timeoutMs + 5_000 : ACCEPT_WAIT_MS;
      const settled = command.answer === 'terminal' ? (j: JobRecord) => isTerminal(j.status) : (j: JobRecord) => isTerminal(j.status) || j.queued || j.runnerState.accepted === true;
      return send(reply, tenant, await jobs.waitFor(job.jobid, settled, wait));
    });
  }

  async function parentOf(tenant: TenantRecord, input: CommandInput): Promise<JobRecord | undefined> {
    const jobid = input.fields.jobid?.trim();
    if (!jobid) return undefined; // the field check answers "Required param jobid is missing or empty"
    const parent = await deps.store.jobs.get(tenant.id, jobid);
    return parent?.bot === provider.name ? parent : undefined;
  }

  /** Fetches image URLs into files and checks what needs more than one row (U1–U4 once per parent). */
  async function prepare(tenant: TenantRecord, command: ProviderCommand, input: CommandInput, parent: JobRecord | undefined): Promise<CommandInput> {
    const options = { allowPrivate: deps.allowPrivateTargets };
    if (command.name === 'blend') {
      if (!input.fields.blendUrls) throw badRequest('Required param blendUrls is missing or empty');
      const urls = JSON.parse(input.fields.blendUrls) as string[];
      if (urls.length < 2 || urls.length > 5) throw badRequest('blendUrls must hold at least 2 and at most 5 image URLs');
      const files = await fetchImages(urls, 'blendUrls', options);
      if (!files.ok) throw badRequest(files.error);
      return { fields: input.fields, files: files.value };
    }
    if (command.name === 'describe') {
      const url = input.fields.describeUrl?.trim();
      if (!url) throw badRequest('Required param describeUrl is missing or empty');
      const file = await fetchImage(url, 'describeUrl', options);
      if (!file.ok) throw badRequest(file.error);
      return { fields: input.fields, files: { image1: file.value } };
    }
    if (command.name === 'button' && parent) {
      // The plan is checked again by the job service; here only because it needs the children.
      const planned = buildButton(input, parent, await deps.store.jobs.listChildren(tenant.id, parent.jobid));
      if (!planned.ok) throw planned.status === 409 ? conflict(input.fields.button ?? '', parent.jobid) : new ApiError(planned.status ?? 400, planned.error);
    }
    return input;
  }

  function conflict(button: string, parentJobId: string): ApiError {
    const c = upscaledConflict(button.trim(), parentJobId);
    return new ApiError(c.status, c.error, undefined, c.extra);
  }

  async function send(reply: FastifyReply, tenant: TenantRecord, job: JobRecord): Promise<FastifyReply> {
    const failed = job.status === 'failed' || job.status === 'moderated';
    return reply.code(failed ? (job.code ?? 422) : 200).send(await present(tenant, job));
  }

  async function present(tenant: TenantRecord, job: JobRecord): Promise<Record<string, unknown>> {
    const body = await jobs.present(job);
    const links = await children(tenant.id, job.jobid);
    return links.length > 0 ? { ...body, children: links } : body;
  }

  type JobQuery = { Querystring: { jobid?: string } };

  app.get<JobQuery>('/v2/jobs', async (request) => {
    const tenant = deps.tenant(request);
    if (request.query.jobid === undefined) {
      await refusePending(tenant.id, undefined);
      return jobs.listActive(tenant.id, provider.name);
    }
    const job = await jobs.get(tenant.id, request.query.jobid);
    if (job.bot !== provider.name) throw new ApiError(404, `Unable to locate job ${job.jobid}`);
    await refusePending(tenant.id, job.channel);
    return present(tenant, job);
  });

  app.get<JobQuery>('/v2/jobs/cancel', async (request) => {
    const tenant = deps.tenant(request);
    const job = await jobs.get(tenant.id, request.query.jobid);
    if (job.bot !== provider.name) throw new ApiError(404, `Unable to locate job ${job.jobid}`);
    await refusePending(tenant.id, job.channel);
    const cancelled = await jobs.cancel(tenant.id, job.jobid);
    return { jobid: cancelled.jobid, status: cancelled.status, code: 200 };
  });
}
