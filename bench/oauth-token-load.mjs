// Load generator for bench/oauth-token.ts, run as its own process. Reads a JSON file of requests
// ({url, clientId, clientSecret}), sends each exactly once (GET, keep-alive) over `connections`
// parallel loops, and writes {requests, errors, seconds, rps, p50, p99} as JSON to stdout; with
// `out`, also the refresh tokens it received (one per line: clientId secret refreshToken).
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const { file, connections, out } = JSON.parse(process.argv[2]);
const items = JSON.parse(readFileSync(file, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const refresh = [];
const latencies = [];

function once(item) {
  const u = new URL(item.url);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.get({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.statusCode !== 200 || !body.startsWith('&&&START&&&{"access_token"')) return resolve(false);
        if (out) refresh.push(`${item.clientId} ${item.clientSecret} ${JSON.parse(body.slice(11)).refresh_token}`);
        resolve(true);
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
if (out) writeFileSync(out, refresh.join('\n'));
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
