/**
 * CPU per Discord REST call on the unproxied path: the REST client over Node's `fetch` (the
 * direct transport before `request-fetch.ts`) against the direct transport (`undici.request`),
 * sequential calls to a local HTTP server in a child process (so only the client's CPU is
 * counted), in alternating rounds so that other load on the machine hits both alike.
 *
 *   npx tsx bench/rest-cpu.ts [calls per variant, default 2000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { directTransport, RestClient, type FetchLike } from '../src/discord/index.ts';
import { renderTable } from './support/table.ts';

const CALLS = Number(process.argv[2] ?? 2000);
const ROUNDS = 4;

/** Discord's answers, roughly: 204 to an interaction, a compressed JSON list to a history read. */
const SERVER = `
const http = require('node:http');
const zlib = require('node:zlib');
const messages = zlib.gzipSync(JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ id: String(1e17 + i), content: 'x'.repeat(300), author: { id: '1', username: 'bot' }, attachments: [], embeds: [] }))));
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST') { res.writeHead(204); return res.end(); }
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(messages);
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

const variants: Array<{ name: string; fetch: FetchLike }> = [
  { name: "Node's fetch (before)", fetch: (input, init) => fetch(input, init) },
  { name: 'undici.request (direct transport)', fetch: directTransport.fetch },
];

const calls: Array<{ name: string; run: (rest: RestClient) => Promise<unknown> }> = [
  { name: 'POST /interactions → 204', run: (rest) => rest.post('/interactions', { type: 2, application_id: '1', channel_id: '2', session_id: 's', data: { name: 'swapid', options: [] }, nonce: '3' }) },
  { name: 'GET /channels/{id}/messages → 2 KB gzip JSON', run: (rest) => rest.get('/channels/2/messages', { limit: 5 }) },
];

const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [line] = (await once(server.stdout, 'data')) as [Buffer];
  const apiUrl = `http://127.0.0.1:${line.toString().trim()}/api/v9`;
  const clients = variants.map((v) => new RestClient({ token: 'bench-token', apiUrl, fetch: v.fetch, minIntervalMs: 0, routeIntervalsMs: {} }));
  const rows = [];
  for (const call of calls) {
    const cpu = variants.map(() => 0);
    const wall = variants.map(() => 0);
    for (const client of clients) for (let i = 0; i < 200; i++) await call.run(client); // warm-up: JIT, sockets
    for (let round = 0; round < ROUNDS; round++) {
      for (const [v, client] of clients.entries()) {
        const n = CALLS / ROUNDS;
        const started = performance.now();
        const before = process.cpuUsage();
        for (let i = 0; i < n; i++) await call.run(client);
        const used = process.cpuUsage(before);
        cpu[v]! += used.user + used.system;
        wall[v]! += (performance.now() - started) * 1000;
      }
    }
    for (const [v, variant] of variants.entries()) rows.push([call.name, variant.name, cpu[v]! / CALLS, wall[v]! / CALLS]);
  }
  process.stdout.write(renderTable({
    title: 'CPU per Discord REST call, unproxied',
    setup: `${CALLS} sequential calls per variant and call (${ROUNDS} alternating rounds, after 200 warm-up calls) through RestClient to a local node:http server in a child process; process.cpuUsage() of this process.`,
    columns: ['call', 'transport', 'CPU µs/call', 'wall µs/call'],
    rows,
  }));
} finally {
  server.kill();
}
