// Runs the test suite: every *.test.ts under test/ (or the files given), compiled ahead of the run
// (scripts/test-bundle.mjs) or, with OPAL_TEST_TSX=1, through the tsx loader.
// Node 20's test runner neither expands globs nor finds .ts files, so the list is built here.
//
// At start-up it finds out which backends this machine offers and switches their suites on:
//   PostgreSQL  OPAL_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), probed
//   Redis       OPAL_TEST_REDIS_URL (default redis://127.0.0.1:6379), probed with PING
//   browser     OPAL_TEST_BROWSER (default /usr/bin/chromium), an executable file
//   1 GiB       OPAL_TEST_BIG: the 1 GiB FDS transfer, when 3 GiB of disk and 1 GiB of memory are free
//   strace      /usr/bin/strace (blob fsync observation)
//   image       OPAL_TEST_IMAGE=1 only (opt-in: the Dockerfile's steps take minutes)
//   mount       OPAL_TEST_MOUNT: root, and a probe tmpfs mounts (the disk-full drill mounts a small one)
// A variable set to `off` (OPAL_TEST_BIG=0) turns its suites off. One line per backend says what
// runs and why not; after the run, the skipped tests are counted by reason. With CI=true, a
// backend that .ci/run requires (PostgreSQL, Redis, browser, 1 GiB) and that is off fails the run
// before any test starts, and a `redis: true` suite refuses to fall back to the memory cache.
// Extra arguments that are not files are passed to `node --test` (e.g. --test-name-pattern=…).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleTests } from './test-bundle.mjs';

const GiB = 1024 ** 3;
const CI = process.env.CI === 'true';
const REQUIRED_IN_CI = ['PostgreSQL', 'Redis', 'browser', '1 GiB'];

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const isOff = (v) => v !== undefined && /^(off|0|false|no)$/i.test(v.trim());

/** Hides a connection string's password. */
const shown = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function withTimeout(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function probePostgres(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), 4000, 'connect');
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(url) {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await withTimeout(r.connect(), 4000, 'connect');
    const pong = await r.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } finally {
    r.disconnect();
  }
}

/** MemAvailable from /proc/meminfo (free memory elsewhere). */
function availableMemory() {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return freemem();
}

/** Each backend: its name, the variable that controls it, whether it is on, and why (not). */
async function detect() {
  const env = {};
  const lines = [];
  const add = (name, on, detail, suites) => lines.push({ name, on, detail, suites });

  /** A server backend: off when its variable says so, else on when `probe` answers at its URL. */
  const server = async (name, variable, fallback, probe, suites) => {
    const given = process.env[variable];
    const url = given || fallback;
    if (isOff(given)) return add(name, false, `${variable}=off`, suites);
    try {
      await probe(url);
      env[variable] = url;
      add(name, true, shown(url), suites);
    } catch (e) {
      add(name, false, `${shown(url)} unreachable (${e.message})`, suites);
    }
  };
  await server(
    'PostgreSQL',
    'OPAL_TEST_DATABASE_URL',
    'postgres://postgres@127.0.0.1:5432/test',
    probePostgres,
    'PostgreSQL variants of the store, OAuth, open-API, passbook and FDS suites; scale-out and cluster tests',
  );
  await server(
    'Redis',
    'OPAL_TEST_REDIS_URL',
    'redis://127.0.0.1:6379',
    probeRedis,
    'Redis cache suite, `redis: true` suites on Redis instead of the memory cache, scale-out and cluster tests',
  );

  const browserVar = process.env.OPAL_TEST_BROWSER;
  const browser = browserVar || '/usr/bin/chromium';
  const browserSuites =
    'browser tests in Chromium (OAuth, checkPassword, sign-up, recovery, account center, second factors, developer and admin consoles, /docs, FDS presign from a page)';
  if (isOff(browserVar)) add('browser', false, 'OPAL_TEST_BROWSER=off', browserSuites);
  else {
    try {
      accessSync(browser, constants.X_OK);
      env.OPAL_TEST_BROWSER = browser;
      add('browser', true, browser, browserSuites);
    } catch {
      add('browser', false, `${browser} is not an executable file`, browserSuites);
    }
  }

  const bigVar = process.env.OPAL_TEST_BIG;
  const bigSuites = 'the 1 GiB FDS upload and download (test/sites/fds/big-transfer.test.ts)';
  if (isOff(bigVar)) add('1 GiB', false, `OPAL_TEST_BIG=${bigVar}`, bigSuites);
  else {
    const fs = statfsSync(tmpdir());
    const disk = fs.bavail * fs.bsize;
    const mem = availableMemory();
    const gib = (n) => `${(n / GiB).toFixed(1)} GiB`;
    if (bigVar === '1' || (disk >= 3 * GiB && mem >= GiB)) {
      env.OPAL_TEST_BIG = '1';
      add('1 GiB', true, `${gib(disk)} free in ${tmpdir()}, ${gib(mem)} memory available`, bigSuites);
    } else add('1 GiB', false, `needs 3 GiB free in ${tmpdir()} (${gib(disk)}) and 1 GiB of memory (${gib(mem)})`, bigSuites);
  }

  const strace = '/usr/bin/strace';
  add(
    'strace',
    existsSync(strace),
    existsSync(strace) ? strace : `${strace} not found`,
    'blob fsync observation (test/store/blob-fsync.test.ts)',
  );
  const imageOn = process.env.OPAL_TEST_IMAGE === '1';
  add(
    'image',
    imageOn,
    imageOn ? 'OPAL_TEST_IMAGE=1' : 'opt-in: OPAL_TEST_IMAGE=1 (several minutes: npm ci with a native compile)',
    "the Dockerfile's build and start steps in a clean directory (test/server/image-steps.test.ts)",
  );

  const mountVar = process.env.OPAL_TEST_MOUNT;
  const mountSuites =
    'the disk-full drill on a 4 MiB tmpfs (test/sites/fds/disk-full.test.ts), the blob store out of space and inodes (test/store/blob-errors.test.ts)';
  if (isOff(mountVar)) add('mount', false, `OPAL_TEST_MOUNT=${mountVar}`, mountSuites);
  else if (process.getuid?.() !== 0) add('mount', false, 'needs root (tmpfs mounts)', mountSuites);
  else {
    const probe = mkdtempSync(join(tmpdir(), 'opal-mount-probe-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
    if (mounted) spawnSync('umount', [probe]);
    rmSync(probe, { recursive: true, force: true });
    if (mounted) env.OPAL_TEST_MOUNT = '1';
    add('mount', mounted, mounted ? 'tmpfs mounts work' : 'mount -t tmpfs is not permitted here', mountSuites);
  }
  return { env, lines };
}

const passThrough = [];
const given = [];
for (const a of process.argv.slice(2)) (a.startsWith('-') ? passThrough : given).push(a);
const files = given.length > 0 ? given : find('test').sort();

const { env, lines } = await detect();
for (const l of lines) console.log(`${l.on ? 'on ' : 'off'}  ${l.name.padEnd(10)} ${l.detail} — ${l.suites}`);
console.log(`on   SQLite     always — every store suite, and the memory cache`);

const missing = lines.filter((l) => !l.on && REQUIRED_IN_CI.includes(l.name));
if (CI && missing.length > 0) {
  console.error(`CI=true: required suites cannot run: ${missing.map((l) => `${l.name} (${l.detail})`).join('; ')}`);
  process.exit(1);
}

const childEnv = { ...process.env };
for (const k of ['OPAL_TEST_DATABASE_URL', 'OPAL_TEST_REDIS_URL', 'OPAL_TEST_BROWSER', 'OPAL_TEST_BIG']) delete childEnv[k];
Object.assign(childEnv, env);
// A `redis: true` suite without Redis says so on stderr; under CI it fails instead.
if (CI) childEnv.OPAL_TEST_REQUIRE_REDIS = '1';

// The test files run compiled ahead of time (scripts/test-bundle.mjs), or through the tsx loader
// with OPAL_TEST_TSX=1. OPAL_TEST_SOURCE_MAPS=1 maps stack traces of compiled tests to the .ts
// lines (it slows every test process down by about half).
const viaTsx = process.env.OPAL_TEST_TSX === '1';
const sourceMaps = process.env.OPAL_TEST_SOURCE_MAPS === '1';
const compiled = viaTsx ? undefined : await bundleTests(files, { sourceMaps });
if (compiled)
  console.log(
    `compiled ${files.length} test file${files.length === 1 ? '' : 's'} into ${compiled.dir}${sourceMaps ? ' (source maps on)' : ''}`,
  );

const tapDir = mkdtempSync(join(tmpdir(), 'opal-test-run-'));
const tap = join(tapDir, 'results.tap');
const concurrency = process.env.OPAL_TEST_CONCURRENCY ?? '2';
const r = spawnSync(
  process.execPath,
  [
    ...(compiled ? (sourceMaps ? ['--enable-source-maps'] : []) : ['--import', 'tsx']),
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...passThrough,
    ...(compiled?.files ?? files),
  ],
  { stdio: 'inherit', env: childEnv },
);

// Skipped tests and suites by reason (a skipped describe counts once), so that nothing is skipped
// without a line saying why.
let text = '';
try {
  text = readFileSync(tap, 'utf8');
} catch {}
rmSync(tapDir, { recursive: true, force: true });
const reasons = new Map();
for (const m of text.matchAll(/^\s*(?:not )?ok \d+ - .*# SKIP ?(.*)$/gm)) {
  const reason = (m[1] ?? '').trim() || '(no reason given)';
  if (/test name does not match pattern/.test(reason)) continue;
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
}
if (reasons.size > 0) {
  console.log('skipped (tests or suites, by reason):');
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${reason}`);
} else console.log('skipped: nothing');
// The compiled tests stay after a failure, so that the stack traces' files can be read (the next
// run removes them).
if (compiled && r.status === 0) compiled.remove();
else if (compiled) console.log(`compiled tests kept in ${compiled.dir} (stack traces point there)`);
process.exit(r.status ?? 1);
