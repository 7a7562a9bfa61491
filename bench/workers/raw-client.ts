/**
 * Worker: the baselines' raw client (see `support/raw-session.ts`). It runs Pika generations with
 * the same Discord calls switchboard makes, or just holds idle Gateway sessions.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HeartbeatClock } from '../support/heartbeats.ts';
import { serveWorker } from '../support/rpc.ts';
import { settleMemory } from '../support/memory.ts';
import { RawSession, rest } from '../support/raw-session.ts';
import { wallClock } from '../support/stats.ts';

interface Account {
  token: string;
  channel: string;
}

interface PikaRun {
  apiUrl: string;
  gatewayUrl: string;
  accounts: Account[];
  /** Generations per account. */
  jobsPerAccount: number;
  /** Generations in flight per account (switchboard's maxJobs). */
  concurrency: number;
  /** When set, each account starts one generation every this many ms instead of as fast as it can. */
  intervalMs?: number;
}

const held: RawSession[] = [];
const heartbeats = new HeartbeatClock();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/**
 * Connects one account and reads its command index; the returned function runs the account's
 * share: POST /interactions per generation, done when the result edit (with the video) arrives.
 */
async function openAccount(run: PikaRun, account: Account, sent: Map<string, number>, finishedAt: Map<string, number>): Promise<{ go: () => Promise<number>; session: RawSession }> {
  const pending = new Map<string, () => void>();
  const byMessage = new Map<string, string>();
  const session = new RawSession(account.token, (event, d) => {
    if (event === 'MESSAGE_CREATE' && d.nonce) byMessage.set(String(d.id), String(d.nonce));
    if (event === 'MESSAGE_UPDATE' && Array.isArray(d.attachments) && d.attachments.length > 0) {
      const nonce = byMessage.get(String(d.id));
      if (nonce) pending.get(nonce)?.();
    }
  });
  await session.connect(run.gatewayUrl);
  const index = await rest<{ application_commands: { id: string; name: string; version: string; application_id: string }[] }>(run.apiUrl, account.token, 'GET', `/channels/${account.channel}/application-command-index`);
  const command = index.application_commands.find((c) => c.name === 'create')!;
  const one = async (): Promise<void> => {
    const nonce = String((BigInt(Date.now() - 1420070400000) << 22n) | BigInt(Math.floor(Math.random() * 4194304)));
    const finished = new Promise<void>((resolve) => pending.set(nonce, resolve));
    sent.set(nonce, wallClock());
    await rest(run.apiUrl, account.token, 'POST', '/interactions', {
      type: 2,
      application_id: command.application_id,
      channel_id: account.channel,
      session_id: session.sessionId,
      nonce,
      data: { version: command.version, id: command.id, name: 'create', type: 1, options: [{ type: 3, name: 'prompt', value: 'a horse running on a beach' }], attachments: [] },
    });
    await finished;
    finishedAt.set(nonce, wallClock());
    pending.delete(nonce);
  };
  const go = async (): Promise<number> => {
    let next = 0;
    let done = 0;
    const startedAt = wallClock();
    const lane = async (): Promise<void> => {
      while (next < run.jobsPerAccount) {
        const at = next++;
        if (run.intervalMs) await new Promise((r) => setTimeout(r, Math.max(0, at * run.intervalMs! - (wallClock() - startedAt))));
        await one();
        done++;
      }
    };
    await Promise.all(Array.from({ length: run.concurrency }, lane));
    return done;
  };
  return { go, session };
}

serveWorker({
  /** Returns when every generation has its result; times are wall-clock ms. */
  async pika(run: PikaRun) {
    const sent = new Map<string, number>();
    const finishedAt = new Map<string, number>();
    const opened = await Promise.all(run.accounts.map((a) => openAccount(run, a, sent, finishedAt)));
    const started = wallClock();
    const completed = await Promise.all(opened.map((o) => o.go()));
    const finished = wallClock();
    for (const o of opened) o.session.close();
    return { started, finished, completed: completed.reduce((a, b) => a + b, 0), sent: Object.fromEntries(sent), finishedAt: Object.fromEntries(finishedAt) };
  },

  /** Opens one idle session per token and keeps it (heartbeats only). */
  async hold(params: { gatewayUrl: string; tokens: string[] }) {
    for (const token of params.tokens) {
      const session = new RawSession(token, undefined, heartbeats.track());
      await session.connect(params.gatewayUrl);
      held.push(session);
    }
    return held.length;
  },

  async usage() {
    await settleMemory();
    const memory = process.memoryUsage();
    const result = { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, cpu: process.cpuUsage(), loopDelayMaxMs: loopDelay.max / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
    loopDelay.reset();
    return result;
  },
  startLoopMonitor: () => loopDelay.enable(),
  heartbeats: (intervalMs: number) => heartbeats.summary(intervalMs),
  resetHeartbeats: () => heartbeats.reset(),
  stop() {
    for (const s of held.splice(0)) s.close();
  },
});
