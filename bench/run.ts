/**
 * `npm run bench [-- --quick] [-- --only http,throughput,…]`: runs the benchmarks one after the
 * other and prints one markdown table each, preceded by the machine they ran on. Every
 * benchmark measures its own baseline in the same run, talks only to 127.0.0.1, and bounds every
 * loop by count and time.
 */
import { httpOverhead } from './http-overhead.ts';
import { throughput } from './throughput.ts';
import { midjourneyThroughput } from './throughput-midjourney.ts';
import { latency } from './latency.ts';
import { slotUtilisation } from './utilisation.ts';
import { scale } from './scale.ts';
import { tlsTransport } from './tls-transport.ts';
import { fuzz, uploads } from './hostile.ts';
import { machineFacts } from './support/machine.ts';
import { renderTable } from './support/table.ts';
import type { Benchmark } from './support/context.ts';

const benchmarks: Benchmark[] = [httpOverhead, throughput, midjourneyThroughput, latency, slotUtilisation, scale, tlsTransport, fuzz, uploads];

function parseArgs(argv: string[]): { quick: boolean; only: Set<string> | undefined } {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? new Set((argv[at + 1] ?? '').split(',').filter(Boolean)) : undefined;
  return { quick, only };
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const ctx = { quick, log: (message: string) => process.stderr.write(`[bench] ${message}\n`) };
  process.stdout.write(`${machineFacts(quick)}\n`);
  let failed = false;
  for (const benchmark of benchmarks) {
    if (only && !only.has(benchmark.name)) continue;
    const started = Date.now();
    try {
      process.stdout.write(`${renderTable(await benchmark.run(ctx))}\n`);
    } catch (error) {
      failed = true;
      process.stdout.write(`### ${benchmark.name}: failed\n\n\`\`\`\n${error instanceof Error ? error.stack : String(error)}\n\`\`\`\n\n`);
    }
    ctx.log(`${benchmark.name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
