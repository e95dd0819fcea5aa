// Load generator for bench/storage-tokens.ts, run as its own process. Reads a JSON file of
// requests ({url, headers?}), sends each exactly once (GET, keep-alive) over `connections`
// parallel loops, and writes {requests, errors, seconds, rps, p50, p99} as JSON to stdout.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const { file, connections } = JSON.parse(process.argv[2]);
const items = JSON.parse(readFileSync(file, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];

function once(item) {
  const u = new URL(item.url);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.get({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, headers: item.headers ?? {} }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        resolve(res.statusCode === 200);
      });
    });
    req.on('error', () => resolve(false));
  });
}

let next = 0;
let requests = 0;
let errors = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (await once(item)) requests++;
      else errors++;
    }
  }),
);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 10) / 10;
process.stdout.write(
  JSON.stringify({
    requests,
    errors,
    seconds: Math.round(elapsed * 100) / 100,
    rps: Math.round(requests / elapsed),
    p50: pct(0.5),
    p99: pct(0.99),
  }),
);
