/**
 * `npx tsx bench/profile.ts <file.cpuprofile> [count]`: the functions with the most self time
 * in a V8 CPU profile (as written by `BENCH_PROFILE=<dir> npm run bench`), and the same grouped
 * by source file — enough to see where a benchmark's time goes without opening DevTools.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shorten(url: string): string {
  const at = url.indexOf('/node_modules/');
  if (at >= 0) return url.slice(at + '/node_modules/'.length);
  const src = url.search(/\/(src|bench)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '') || '(native)';
}

export function summarize(profile: CpuProfile, count: number): string {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = nodes.get(id)!.callFrame;
    const file = shorten(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    const group = file.includes('/') ? file.split('/').slice(0, file.startsWith('src/') ? 2 : 1).join('/') : file;
    byFile.set(group, (byFile.get(group) ?? 0) + ms);
  }
  const top = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  return [`total ${total.toFixed(0)} ms`, '', 'self time by function:', ...top(byFunction), '', 'self time by package / source folder:', ...top(byFile)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [count]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, Number(count ?? 25))}\n`);
}
