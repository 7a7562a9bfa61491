/** Worker: the simulated Discord in its own process, driven through its in-process control. */
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { serveWorker } from '../support/rpc.ts';

let sim: Simulator | undefined;
const started = () => {
  if (!sim) throw new Error('simulator not started');
  return sim;
};

serveWorker({
  async start(options: SimulatorOptions) {
    sim = await startSimulator({ host: '127.0.0.1', port: 0, ...options });
    return { apiUrl: sim.apiUrl, gatewayUrl: sim.gatewayUrl, baseUrl: sim.baseUrl };
  },
  pikaAccounts(count: number) {
    return Array.from({ length: count }, () => {
      const a = started().control.createPikaAccount();
      return { token: a.user.token, channel: a.channelId, userId: a.user.id };
    });
  },
  faceswapAccounts(count: number) {
    return Array.from({ length: count }, () => {
      const a = started().control.createFaceswapAccount();
      return { token: a.user.token, channel: a.channelId, server: a.guildId, userId: a.user.id };
    });
  },
  midjourneyAccounts(count: number) {
    return Array.from({ length: count }, () => {
      const a = started().control.midjourney.createAccount();
      return { token: a.user.token, channel: a.channelId, userId: a.user.id };
    });
  },
  setMidjourneyConcurrency: (limit: number) => started().control.midjourney.setConcurrency(limit),
  setBotLatency: (ms: number) => started().control.setBotLatency(ms),
  setPikaConcurrency: (limit: number) => started().control.setPikaConcurrency(limit),
  /** Only what the benchmarks read: interactions (nonce, time), violations and request counts. */
  report() {
    const r = started().control.report();
    return {
      interactions: r.interactions.map((i) => ({ nonce: i.nonce, receivedAt: Date.parse(i.receivedAt), outcome: i.outcome })),
      violations: r.rateLimitViolations.length + r.duplicateNonces.length,
      requests: r.requests,
    };
  },
  resetReport: () => started().control.resetReport(),
  usage: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss }),
  async stop() {
    await sim?.close();
    sim = undefined;
  },
});
