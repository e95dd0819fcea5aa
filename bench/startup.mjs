// Start-up time and idle memory of `opal serve` on the embedded default.
// For each run: a fresh data directory (first start: migrations, server secret, demo seed) and
// then a second start on the same directory (warm: nothing to create). Measures spawn → the
// "Server listening" log line, spawn → first /healthz 200, and the resident set size of the
// server process once it has been idle for a few seconds. On a busy machine the wall-clock
// figures mostly measure the queue for a CPU; the CPU time the process used until its first
// /healthz answer is the steadier figure.
// Usage: node bench/startup.mjs [runs=5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RUNS = Number(process.argv[2] ?? 5);
const IDLE_MS = 3000;
const BIN = new URL('../bin/opal.js', import.meta.url).pathname;

async function freePort() {
  const srv = createServer();
  await new Promise((res) => srv.listen(0, '127.0.0.1', res));
  const { port } = srv.address();
  await new Promise((res) => srv.close(res));
  return port;
}

/** CPU time (user + system, all threads) the process has used so far, ms (Linux clock ticks of 10 ms). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

async function once(dataDir) {
  const [port, fdsPort] = [await freePort(), await freePort()];
  const env = { ...process.env, OPAL_DATA_DIR: dataDir, OPAL_PORT: String(port), OPAL_FDS_PORT: String(fdsPort) };
  for (const k of Object.keys(env))
    if (k.startsWith('OPAL_') && !['OPAL_DATA_DIR', 'OPAL_PORT', 'OPAL_FDS_PORT'].includes(k)) delete env[k];
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let listening;
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (listening === undefined && out.includes(`Server listening at http://127.0.0.1:${port}`)) listening = performance.now() - t0;
  });
  child.stderr.resume();
  let healthz;
  let cpu;
  while (healthz === undefined) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) {
        healthz = performance.now() - t0;
        cpu = cpuMs(child.pid);
      }
    } catch {
      await sleep(2);
    }
    if (performance.now() - t0 > 60_000) throw new Error('no /healthz within 60 s');
  }
  await sleep(IDLE_MS);
  const rss = rssKiB(child.pid);
  const exited = new Promise((res) => child.on('exit', (code) => res(code)));
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`opal serve exited ${code}`);
  return { listening, healthz, cpu, rssMiB: rss / 1024 };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

const results = { first: [], warm: [] };
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'opal-bench-'));
  try {
    results.first.push(await once(dir));
    results.warm.push(await once(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at the end ${load}`,
);
console.log(`command: node bin/opal.js serve (embedded default), ${RUNS} runs, RSS after ${IDLE_MS / 1000} s idle`);
console.log('| start | spawn → listening (ms) | spawn → /healthz 200 (ms) | CPU used until /healthz 200 (ms) | idle RSS (MiB) |');
console.log('|---|---|---|---|---|');
for (const [name, rows] of Object.entries(results)) {
  const f = (k, d = 0) => {
    const s = stats(rows.map((r) => r[k]));
    return `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
  };
  console.log(
    `| ${name === 'first' ? 'first start (empty data dir, demo seeded)' : 'second start (existing data dir)'} | ${f('listening')} | ${f('healthz')} | ${f('cpu')} | ${f('rssMiB', 1)} |`,
  );
}
console.log('(median, with min–max)');
