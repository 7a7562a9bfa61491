/**
 * Hostile input (issue 15), against a real `switchboard serve` child process:
 *  - `fuzz`: the CI fuzz property (no 5xx, useapi envelope on every error) over far more cases,
 *    with a fresh seed each run (printed, so a failure can be replayed);
 *  - `uploads`: the server's RSS while clients stream oversized multipart uploads at once — the
 *    streaming limits must keep it flat however large the bodies are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { requestArbitrary, violation, type RouteShape } from '../test/support/fuzz.ts';
import type { Benchmark } from './support/context.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/switchboard.mjs');
const MiB = 1024 * 1024;

interface Served {
  child: ChildProcess;
  url: string;
  token: string;
  dataDir: string;
  close(): Promise<void>;
}

async function serve(): Promise<Served> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-hostile-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SECRET: crypto.randomUUID(), SWITCHBOARD_VERIFY_ACCOUNTS: '0', SWITCHBOARD_RATE_LIMIT: '0', LOG_LEVEL: 'silent', PORT: '0' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  const token = fs.readFileSync(path.join(dataDir, 'first-api-token.txt'), 'utf8').trim();
  return {
    child,
    url,
    token,
    dataDir,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every route as the OpenAPI document lists it (the child's own route table is not reachable). */
async function routesOf(url: string): Promise<RouteShape[]> {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), url: p.replace(/\{(\w+)\}/g, ':$1') })));
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

function streamedUpload(url: string, token: string, files: number, fileBytes: number): Promise<number> {
  const boundary = 'bench-boundary';
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  async function* body() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="idname"\r\n\r\nabc\r\n`);
    for (let f = 0; f < files; f++) {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f${f}"; filename="f.png"\r\nContent-Type: image/png\r\n\r\n`);
      for (let sent = 0; sent < fileBytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, fileBytes - sent));
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/faceswap/saveid`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    Readable.from(body()).pipe(request);
  });
}

export const fuzz: Benchmark = {
  name: 'fuzz',
  async run(ctx) {
    const server = await serve();
    try {
      const routes = await routesOf(server.url);
      const runs = ctx.quick ? 1000 : 10_000;
      const seed = Date.now() % 2 ** 31;
      ctx.log(`fuzz: ${runs} requests over ${routes.length} routes, seed ${seed}`);
      const started = Date.now();
      const failures: string[] = [];
      const details = await fc.check(
        fc.asyncProperty(requestArbitrary(routes, server.token), async (request) => {
          const problem = await violation(server.url, request);
          if (problem) failures.push(problem);
          return problem === undefined;
        }),
        { seed, numRuns: runs, endOnFailure: true },
      );
      const seconds = (Date.now() - started) / 1000;
      return {
        title: 'Fuzzing every route (no 5xx, useapi envelope on every error)',
        setup: `fast-check over the ${routes.length} routes of the OpenAPI document against \`switchboard serve\` (SQLite) in a child process: random methods, path parameters, query strings (repeated, nested, empty), Authorization variants and JSON/multipart/garbage bodies. Seed ${seed} (replay: fc.check with this seed).`,
        columns: ['requests', 'seconds', 'req/s', 'violations'],
        rows: [[details.numRuns, seconds, details.numRuns / seconds, failures.length]],
        notes: failures.length > 0 ? [`first violation: ${failures[0]}`, `counterexample: ${JSON.stringify(details.counterexample)}`] : ['no violation'],
      };
    } finally {
      await server.close();
    }
  },
};

export const uploads: Benchmark = {
  name: 'uploads',
  async run(ctx) {
    const rows: (string | number)[][] = [];
    const cases = ctx.quick ? [[1, 10, 9.5], [3, 10, 9.5]] : [[1, 10, 9.5], [3, 10, 9.5], [10, 10, 9.5], [3, 1, 200]];
    for (const [clients, files, fileMiB] of cases as [number, number, number][]) {
      const server = await serve();
      try {
        const pid = server.child.pid!;
        await new Promise((r) => setTimeout(r, 500));
        const idle = rssOf(pid);
        let peak = idle;
        const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10);
        const started = Date.now();
        const statuses = await Promise.all(Array.from({ length: clients }, () => streamedUpload(server.url, server.token, files, fileMiB * MiB)));
        clearInterval(sampler);
        const after = rssOf(pid);
        ctx.log(`uploads: ${clients}×${files}×${fileMiB} MiB → peak +${((peak - idle) / MiB).toFixed(0)} MiB`);
        rows.push([clients, `${files} × ${fileMiB} MiB`, (clients * files * fileMiB), statuses.every((s) => s === 413) ? '413' : statuses.join(','), idle / MiB, peak / MiB, (peak - idle) / MiB, after / MiB, (Date.now() - started) / 1000]);
      } finally {
        await server.close();
      }
    }
    return {
      title: 'Server memory under oversized multipart uploads',
      setup: 'Concurrent clients each stream one chunked multipart body (no Content-Length, so nothing is refused up front) to POST /v1/faceswap/saveid on `switchboard serve` (SQLite) in a child process; RSS of that process sampled every 10 ms from /proc. Limits: 10 MiB per file, 32 MiB per request.',
      columns: ['clients', 'each sends', 'MiB sent in all', 'answer', 'idle RSS MiB', 'peak RSS MiB', 'peak − idle MiB', 'RSS after MiB', 'seconds'],
      rows,
      notes: ['Before the streaming limits each request could hold ~100 MiB (10 files × 10 MiB) in memory: three at once took RSS from 157 to 480 MB.'],
    };
  },
};
