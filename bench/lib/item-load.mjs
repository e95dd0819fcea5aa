// Shared load loop for the bench load generators that send a fixed list of requests: each item
// ({url, headers?}) is sent exactly once (GET, keep-alive) over `connections` parallel loops.
// `check(item, status, body)` says whether a response counts as a success. Returns
// {requests, errors, seconds, rps, p50, p99} (latencies in ms, of the responses that completed).
import http from 'node:http';

export async function loadItems(items, connections, check) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];

  function once(item) {
    const u = new URL(item.url);
    const t0 = process.hrtime.bigint();
    return new Promise((resolve) => {
      const req = http.get({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, headers: item.headers ?? {} }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve(check(item, res.statusCode, body));
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
  return {
    requests,
    errors,
    seconds: Math.round(elapsed * 100) / 100,
    rps: Math.round(requests / elapsed),
    p50: pct(0.5),
    p99: pct(0.99),
  };
}
