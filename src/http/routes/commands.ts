/**
 * `POST|DELETE /v1/<bot>/<command>` for every command of every provider. The call submits a job;
 * blocking commands answer when it has ended, asynchronous ones once the bot has accepted it.
 * Either way the body is the job (spec §3.1/§3.2); a failed or moderated job answers with its code.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAccepted, type JobService } from '../../jobs/index.ts';
import type { Provider, ProviderCommand } from '../../providers/index.ts';
import { isTerminal, type JobRecord } from '../../store/index.ts';
import { tenantOf } from '../authenticate.ts';
import { readCommandInput } from '../command-input.ts';
import { holdConnectionOpen } from '../limits.ts';

/** How long an asynchronous command waits for the bot to accept the job before answering anyway. */
const ACCEPT_WAIT_MS = 60_000;

export async function sendJob(reply: FastifyReply, jobs: JobService, job: JobRecord): Promise<FastifyReply> {
  const failed = job.status === 'failed' || job.status === 'moderated';
  return reply.code(failed ? (job.code ?? 422) : 200).send(await jobs.present(job));
}

/** When a call answers: blocking ones once the job ended; asynchronous ones once the bot accepted it (or it waits in a queue). */
function settled(command: ProviderCommand): (job: JobRecord) => boolean {
  return command.answer === 'terminal' ? (job) => isTerminal(job.status) : (job) => isTerminal(job.status) || job.queued || isAccepted(job);
}

export function commandRoutes(app: FastifyInstance, providers: readonly Provider[], jobs: JobService, discordBudget?: { spend(tenantId: string): void }): void {
  for (const provider of providers) {
    for (const command of provider.commands) {
      app.route({
        method: command.method,
        url: `/v1/${provider.name}/${command.name}`,
        handler: async (request, reply) => {
          const input = await readCommandInput(request);
          // A call that brings its own token reaches Discord with it: the stricter per-token budget.
          if (input.fields.discord?.trim()) discordBudget?.spend(tenantOf(request).id);
          const job = await jobs.submit(tenantOf(request), provider, command, input);
          const wait = command.answer === 'terminal' ? command.timeoutMs + 5_000 : ACCEPT_WAIT_MS;
          // The connection is silent while the job runs: keep the idle timeout from cutting it.
          const restore = holdConnectionOpen(request.raw, wait, request.server.initialConfig.connectionTimeout ?? 0);
          try {
            return await sendJob(reply, jobs, await jobs.waitFor(job.jobid, settled(command), wait, job));
          } finally {
            restore();
          }
        },
      });
    }
  }
}
