// Load generator for bench/open-api.ts, run as its own process: `connections` keep-alive loops
// against one URL for `seconds`; with a MAC key, every request gets a fresh nonce and signature
// the way the Java SDK builds them (made ahead of time). Prints {requests, errors, seconds, rps} as JSON.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';

const { url, seconds, connections, mac } = JSON.parse(process.argv[2]);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const enc = (s) => encodeURIComponent(s).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function headers() {
  if (!mac) return {};
  const nonce = `${randomBytes(8).readBigInt64BE()}:${Math.floor(Date.now() / 60000)}`;
  const q = [...u.searchParams]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  const canonical = `${nonce}\nGET\n${mac.host}\n${u.pathname}\n${q}\n`;
  const sig = createHmac('sha1', mac.key).update(canonical).digest('base64');
  return { authorization: `MAC access_token="${enc(mac.token)}", nonce="${enc(nonce)}",mac="${enc(sig)}"` };
}

// Signed headers are made before the clock starts (each with its own nonce), so that signing does
// not eat the CPU the server needs; more are made on the fly if the pool runs out.
const pool = mac ? Array.from({ length: seconds * 4000 }, headers) : [];
function once() {
  return new Promise((resolve) => {
    const h = mac ? (pool.pop() ?? headers()) : {};
    const req = http.get({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, headers: h }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(res.statusCode === 200 && (!mac || body.includes('"code":0'))));
    });
    req.on('error', () => resolve(false));
  });
}

let requests = 0;
let errors = 0;
const end = Date.now() + seconds * 1000;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (Date.now() < end) {
      if (await once()) requests++;
      else errors++;
    }
  }),
);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();
process.stdout.write(JSON.stringify({ requests, errors, seconds: elapsed, rps: Math.round(requests / elapsed) }));
