// Store restarts under load (issue 11 drill), scale-out mode: an `opal serve` child on PostgreSQL
// (a database of its own) and Redis (a key prefix of its own) runs the mixed SDK-shaped workload
// (bench/lib/mixed-load.ts, a new FDS object per iteration) while this script restarts PostgreSQL,
// then shuts Redis down (nosave) and starts it again. It reports, per phase, the iterations that
// succeeded and the failures by step and status (the goal: only 503s, answered fast), how long
// after each store came back requests succeeded again (Opal is never restarted), and then reads
// back every FDS object whose PUT was acknowledged (the goal: none lost).
//
// It restarts the machine's shared PostgreSQL and Redis: run it once, when nothing else uses them.
// Both services are started again whatever happens (finally + signal handlers).
//
//   npm run build && node --import tsx bench/store-restart.ts [workers=8]
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { authorizationHeader } from '../src/core/fds/signer.ts';
import { createBucket, iteration, StepError, seedStore, signIn, startOpal } from './lib/mixed-load.ts';

const run = promisify(execFile);
const workers = Number(process.argv[2] ?? 8);
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const CLUSTER = readdirSync('/etc/postgresql')[0] ?? '15';
const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

const redisUp = () =>
  run('redis-cli', ['ping']).then(
    (r) => r.stdout.trim() === 'PONG',
    () => false,
  );
const pgUp = () =>
  run('pg_isready', ['-h', '127.0.0.1', '-p', '5432']).then(
    () => true,
    () => false,
  );
/** Puts both services back if they are down (also on Ctrl-C). */
function restoreServices(): void {
  try {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', CLUSTER, 'main', 'start'], { stdio: 'ignore' });
  } catch {
    /* already running */
  }
  try {
    execFileSync('redis-cli', ['ping'], { stdio: 'ignore' });
  } catch {
    execFileSync('redis-server', REDIS_START, { stdio: 'ignore' });
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    restoreServices();
    process.exit(130);
  });
}

const dbName = `opal_drill_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const dir = mkdtempSync(join(tmpdir(), 'opal-drill-'));
const env = {
  OPAL_DATA_DIR: dir,
  OPAL_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
  OPAL_REDIS_URL: REDIS_URL,
  OPAL_REDIS_PREFIX: `${dbName}:`,
};
const seed = await seedStore(env);
const opal = await startOpal(env);

type Outcome = { t: number; ok: boolean; key?: string; ms: number };
const outcomes: Outcome[] = [];
const acked = new Map<string, string>();
const marks: Array<{ what: string; t: number }> = [];
const t0 = Date.now();
const now = () => (Date.now() - t0) / 1000;
let stop = false;
let n = 0;
try {
  await createBucket(opal.fds, seed);
  const cookie = await signIn(opal.account, seed.account);
  const load = Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stop) {
        const started = Date.now();
        try {
          const o = await iteration(opal, seed, cookie, n++, true);
          acked.set(o.name, o.md5);
          outcomes.push({ t: now(), ok: true, ms: Date.now() - started });
        } catch (e) {
          const key = e instanceof StepError ? `${e.step} ${e.status}` : String(e).slice(0, 80);
          outcomes.push({ t: now(), ok: false, key, ms: Date.now() - started });
          await new Promise((r) => setTimeout(r, 50)); // a client's short back-off
        }
      }
    }),
  );
  const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
  await sleep(8);
  marks.push({ what: 'postgres restart begins', t: now() });
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', CLUSTER, 'main', 'restart']);
  marks.push({ what: 'postgres back', t: now() });
  await sleep(10);
  marks.push({ what: 'redis shutdown', t: now() });
  await run('redis-cli', ['shutdown', 'nosave']).catch(() => undefined);
  await sleep(3);
  await run('redis-server', REDIS_START);
  while (!(await redisUp())) await sleep(0.1);
  marks.push({ what: 'redis back', t: now() });
  await sleep(10);
  stop = true;
  await load;
  marks.push({ what: 'end', t: now() });

  // Every acknowledged PUT reads back with its bytes.
  let lost = 0;
  for (const [name, md5] of acked) {
    const headers: Record<string, string> = { date: new Date().toUTCString() };
    const path = `/${seed.bucket}/${name}`;
    headers.authorization = authorizationHeader(
      { method: 'GET', path, query: '', headers: Object.entries(headers) },
      seed.accessKeyId,
      seed.accessSecret,
    );
    const r = await fetch(`${opal.fds}${path}`, { headers });
    const got = createHash('md5')
      .update(new Uint8Array(await r.arrayBuffer()))
      .digest('hex');
    if (r.status !== 200 || got !== md5) lost++;
  }

  const phases = [
    { name: 'before', from: 0, to: marks[0]?.t ?? 0 },
    { name: 'postgres restarting', from: marks[0]?.t ?? 0, to: marks[1]?.t ?? 0 },
    { name: 'postgres back', from: marks[1]?.t ?? 0, to: marks[2]?.t ?? 0 },
    { name: 'redis down', from: marks[2]?.t ?? 0, to: marks[3]?.t ?? 0 },
    { name: 'redis back', from: marks[3]?.t ?? 0, to: marks[4]?.t ?? 0 },
  ].map((p) => {
    const inPhase = outcomes.filter((o) => o.t >= p.from && o.t < p.to);
    const failed = inPhase.filter((o) => !o.ok);
    const byKey: Record<string, number> = {};
    for (const o of failed) byKey[o.key ?? '?'] = (byKey[o.key ?? '?'] ?? 0) + 1;
    return {
      phase: p.name,
      seconds: Math.round((p.to - p.from) * 10) / 10,
      ok: inPhase.length - failed.length,
      failed: byKey,
      slowestFailureMs: Math.max(0, ...failed.map((o) => o.ms)),
    };
  });
  const recovery = (back: number) => {
    const first = outcomes.find((o) => o.ok && o.t >= back);
    return first ? Math.round((first.t - back) * 100) / 100 : null;
  };
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        workers,
        marks,
        phases,
        recoverySeconds: { postgres: recovery(marks[1]?.t ?? 0), redis: recovery(marks[3]?.t ?? 0) },
        acknowledgedPuts: acked.size,
        lost,
        nonServiceUnavailableFailures: outcomes.filter((o) => !o.ok && !/ 503$/.test(o.key ?? '')).length,
      },
      null,
      2,
    ),
  );
  process.exitCode = lost === 0 ? 0 : 1;
} finally {
  stop = true;
  restoreServices();
  await opal.stop();
  while (!(await pgUp())) await new Promise((r) => setTimeout(r, 200));
  const cleanup = new pg.Client({ connectionString: PG_ADMIN });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await cleanup.end();
  const keys = await run('redis-cli', ['--scan', '--pattern', `${dbName}:*`]).then(
    (r) => r.stdout.split('\n').filter(Boolean),
    () => [],
  );
  if (keys.length) await run('redis-cli', ['del', ...keys]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
