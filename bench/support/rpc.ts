/**
 * Benchmarks run the system under test in child processes, so that the load generator, the
 * simulated Discord and switchboard never share an event loop. This is the small request/response
 * protocol over Node's IPC channel that the orchestrator uses to drive them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Handler = (params: any) => unknown;

interface Request {
  id: number;
  method: string;
  params: unknown;
}

interface Response {
  id: number;
  result?: unknown;
  error?: string;
}

/** In a worker: answers the orchestrator's calls with `handlers`; exits when the parent goes away. */
export function serveWorker(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('a benchmark worker must be started with an IPC channel');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Request) => {
    const reply = (response: Response) => process.send?.(response);
    const handler = handlers[message.method];
    if (!handler) return reply({ id: message.id, error: `unknown method ${message.method}` });
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => reply({ id: message.id, result }),
        (error: unknown) => reply({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
}

export interface Worker {
  readonly pid: number;
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the worker to exit (closing its IPC channel, then SIGTERM to this one process) and waits for it. */
  stop(): Promise<void>;
}

const workersDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers');

/**
 * Starts `bench/workers/<name>.ts` under tsx. `nodeArgs` go to node (e.g. `--expose-gc`,
 * `--cpu-prof`); every call is bounded by a timeout so a stuck worker cannot hang the run.
 */
export async function startWorker(name: string, nodeArgs: string[] = []): Promise<Worker> {
  // BENCH_PROFILE=<dir> profiles workers (CPU and heap) into that folder; BENCH_PROFILE_ONLY=a,b picks which.
  // BENCH_NODE_ARGS adds node flags to the same workers, e.g. '--perf-basic-prof' for Linux perf
  // (it sees CPU time only, where V8's sampling profiler also counts time the thread was preempted).
  const profile = process.env.BENCH_PROFILE;
  const only = process.env.BENCH_PROFILE_ONLY?.split(',');
  const picked = !only || only.includes(name);
  if (profile && picked) nodeArgs = [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${profile}`, '--heap-prof', `--heap-prof-dir=${profile}`];
  if (process.env.BENCH_NODE_ARGS && picked) nodeArgs = [...nodeArgs, ...process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean)];
  const child: ChildProcess = fork(path.join(workersDir, `${name}.ts`), [], {
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: Response) => {
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.error !== undefined) entry.reject(new Error(`${name} worker: ${message.error}`));
    else entry.resolve(message.result);
  });
  void exited.then(() => {
    for (const entry of pending.values()) entry.reject(new Error(`${name} worker exited`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return {
    pid: child.pid!,
    call<T>(method: string, params?: unknown, timeoutMs = 120_000): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name} worker: ${method} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, method, params } satisfies Request);
      });
    },
    async stop() {
      // A worker exits by itself when its channel closes, which lets --cpu-prof write its profile.
      if (child.connected) child.disconnect();
      const term = setTimeout(() => child.kill('SIGTERM'), 5_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}
