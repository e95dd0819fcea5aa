// Sends every record of a request file once (the side-by-side kit's "<byte length>\n<raw request
// head>" records) over N keep-alive connections and prints {"requests", "errors"} when all are
// answered; with BODYFILE, that file is the body of every request (the heads carry its length, as
// the kit's `opal-fds-put` writes them). bench/cpu-cost.sh uses it where a run must end with its
// last answer.
//   node bench/lib/replay-count.mjs URL FILE [connections=50] [BODYFILE]
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [url, file, conns = '50', bodyFile] = process.argv.slice(2);
const buf = readFileSync(file);
const body = bodyFile ? readFileSync(bodyFile) : undefined;
const records = [];
for (let i = 0; i < buf.length; ) {
  const nl = buf.indexOf(10, i);
  const len = Number(buf.subarray(i, nl));
  const head = buf
    .subarray(nl + 1, nl + 1 + len)
    .toString('latin1')
    .split('\r\n');
  const [method, path] = head[0].split(' ');
  const headers = {};
  for (const line of head.slice(1)) if (line) headers[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim();
  records.push({ method, path, headers });
  i = nl + 1 + len;
}
const agent = new Agent({ keepAlive: true, maxSockets: Number(conns) });
let next = 0;
let errors = 0;
function one(r) {
  return new Promise((resolve) => {
    const req = request(new URL(r.path, url), { method: r.method, headers: r.headers, agent }, (res) => {
      if (res.statusCode >= 400) errors++;
      res.resume().on('end', resolve);
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}
async function worker() {
  while (next < records.length) await one(records[next++]);
}
await Promise.all(Array.from({ length: Number(conns) }, worker));
agent.destroy();
console.log(JSON.stringify({ requests: records.length, errors }));
