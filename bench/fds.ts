// FDS benchmark: 4 KiB and 1 MiB PUT and GET and a 64 MiB multipart upload against Opal's FDS
// origin (a child process, data directory on tmpfs and on disk), each beside raw ceilings measured
// in the same run: a Node hello-world HTTP server driven by the same client code, and a raw
// write-fsync-rename loop in the same directories. Loopback only; every phase is bounded by a count
// and a time limit.
//
//   node --import tsx bench/fds.ts [--seconds 3] [--concurrency 8]
//
// Prints a Markdown table (and the machine) for bench/README.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { FdsHttp } from '../src/cli/fds-client/http.ts';
import { completeMultipart, createBucket, getObject, initMultipart, putObject, uploadPart } from '../src/cli/fds-client/operations.ts';
import type { UploadPartResult } from '../src/cli/fds-client/types.ts';
import { bundleFixture, startChild } from '../test/helpers/child-server.ts';
import { pct, timedPhase } from './lib/timed-phase.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '8' } },
});
const SECONDS = Number(values.seconds);
const CONC = Number(values.concurrency);
const KiB = 1024;
const MiB = 1024 * KiB;

interface Row {
  target: string;
  op: string;
  ops: number;
  seconds: number;
  bytes: number;
  lat: number[];
}
const rows: Row[] = [];

/** Runs `op(i)` with `conc` workers until `maxOps` or the time limit (but at least `minOps`); records ops/s and latencies. */
async function phase(target: string, op: string, size: number, maxOps: number, conc: number, fn: (i: number) => Promise<void>, minOps = 1) {
  const { lat, seconds } = await timedPhase(SECONDS, maxOps, conc, fn, minOps);
  rows.push({ target, op, ops: lat.length, seconds, bytes: lat.length * size, lat });
  const r = rows[rows.length - 1] as Row;
  process.stderr.write(`  ${target.padEnd(22)} ${op.padEnd(26)} ${fmt(r)}\n`);
}

function fmt(r: Row): string {
  const ops = r.ops / r.seconds;
  return `${ops.toFixed(ops < 10 ? 2 : 0)} ops/s, ${(r.bytes / r.seconds / MiB).toFixed(1)} MiB/s, p50 ${pct(r.lat, 50).toFixed(2)} ms, p99 ${pct(r.lat, 99).toFixed(2)} ms (n=${r.ops})`;
}

async function drain(res: Awaited<ReturnType<typeof getObject>>): Promise<number> {
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) n += c.length;
  return n;
}

/** The raw ceiling for durable writes: write, fsync, rename into place (as a blob store must). */
async function rawWrites(label: string, dir: string, size: number, maxOps: number) {
  const data = randomBytes(size);
  mkdirSync(join(dir, 'raw'), { recursive: true });
  await phase(
    label,
    `write+fsync+rename ${sizeName(size)}`,
    size,
    maxOps,
    1,
    async (i) => {
      const tmp = join(dir, 'raw', `.tmp-${i}`);
      const fh = await open(tmp, 'w');
      await fh.write(data);
      await fh.sync();
      await fh.close();
      await rename(tmp, join(dir, 'raw', `obj-${i}`));
    },
    3,
  );
  rmSync(join(dir, 'raw'), { recursive: true, force: true });
}

function sizeName(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`;
}

/** PUT/GET at 4 KiB and 1 MiB and a 64 MiB upload against one target. */
async function suite(label: string, c: FdsHttp, opts: { hello: boolean }) {
  // Warm-up (not recorded): JIT, connection pool, first-use paths on both sides.
  const warm = randomBytes(4 * KiB);
  const bucket0 = opts.hello ? `size-${4 * KiB}` : 'bench';
  for (let i = 0; i < 300; i++) {
    await putObject(c, bucket0, `warm/${i % 10}`, { body: warm });
    await drain(await getObject(c, bucket0, `warm/${i % 10}`));
  }
  for (const [size, maxOps, conc] of [
    [4 * KiB, 5000, CONC],
    [1 * MiB, 400, Math.min(CONC, 4)],
  ] as const) {
    const body = randomBytes(size);
    const md5 = createHash('md5').update(body).digest('hex');
    const bucket = opts.hello ? `size-${size}` : 'bench';
    await phase(label, `PUT ${sizeName(size)}`, size, maxOps, conc, async (i) => {
      await putObject(c, bucket, `k${size}/${i}`, { body, md5 });
    });
    const written = rows[rows.length - 1]?.ops ?? 1;
    await phase(label, `GET ${sizeName(size)}`, size, maxOps, conc, async (i) => {
      const n = await drain(await getObject(c, bucket, `k${size}/${i % written}`));
      if (n !== size) throw new Error(`GET returned ${n} bytes`);
    });
  }
  const part = randomBytes(8 * MiB);
  const partMd5 = createHash('md5').update(part).digest('hex');
  if (opts.hello) {
    // Ceiling: the same 64 MiB sent as one streamed body to a server that discards it.
    await phase(
      label,
      'PUT 64 MiB (one body)',
      64 * MiB,
      5,
      1,
      async () => {
        const { Readable } = await import('node:stream');
        await putObject(c, 'size-0', 'big', { body: Readable.from(Array.from({ length: 8 }, () => part)), size: 64 * MiB });
      },
      3,
    );
    return;
  }
  await phase(
    label,
    'multipart 64 MiB (8×8 MiB)',
    64 * MiB,
    5,
    1,
    async (i) => {
      const name = `mp/${i}`;
      const init = await initMultipart(c, 'bench', name);
      const parts: UploadPartResult[] = [];
      for (let n = 1; n <= 8; n++) {
        const r = await uploadPart(c, 'bench', name, init.uploadId, n, { body: part, md5: partMd5 });
        if (r.etag !== partMd5) throw new Error('etag mismatch');
        parts.push(r);
      }
      await completeMultipart(c, 'bench', name, init.uploadId, parts);
    },
    3,
  );
}

async function startHello(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [new URL('./fds-hello.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res) => createInterface({ input: proc.stdout! }).once('line', res));
  return { url: (JSON.parse(line) as { url: string }).url, proc };
}

async function main() {
  const loadStart = loadavg();
  const cpu = cpus()[0]?.model ?? 'unknown';
  process.stderr.write(
    `FDS bench: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${SECONDS} s per phase, concurrency ${CONC}\n`,
  );
  const dirs = {
    tmpfs: mkdtempSync('/dev/shm/opal-fds-bench-'),
    disk: mkdtempSync(join(tmpdir(), 'opal-fds-bench-')),
  };
  const bundle = await bundleFixture();
  try {
    process.stderr.write('raw write-fsync-rename:\n');
    for (const [where, dir] of Object.entries(dirs)) {
      await rawWrites(`raw fs (${where})`, dir, 4 * KiB, 5000);
      await rawWrites(`raw fs (${where})`, dir, 1 * MiB, 400);
      await rawWrites(`raw fs (${where})`, dir, 64 * MiB, 5);
    }
    process.stderr.write('Node hello-world server:\n');
    const hello = await startHello();
    const hc = new FdsHttp({ endpoint: hello.url, accessKeyId: 'AK', secret: 'unused' });
    await suite('hello-world', hc, { hello: true });
    hc.close();
    hello.proc.kill('SIGTERM');
    for (const [where, dir] of Object.entries(dirs)) {
      process.stderr.write(`Opal FDS, data on ${where}:\n`);
      const s = await startChild(bundle.file, { dataDir: join(dir, 'data'), createKey: true });
      if (!s.key) throw new Error('no key');
      const c = new FdsHttp({ endpoint: s.url, accessKeyId: s.key.accessKeyId, secret: s.key.accessSecret });
      await createBucket(c, 'bench');
      await suite(`opal (${where})`, c, { hello: false });
      c.close();
      await s.stop();
    }
  } finally {
    bundle.remove();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
  const lines = [
    '| target | operation | ops/s | MiB/s | p50 ms | p99 ms | n |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const ops = r.ops / r.seconds;
      return `| ${r.target} | ${r.op} | ${ops.toFixed(ops < 10 ? 2 : 0)} | ${(r.bytes / r.seconds / MiB).toFixed(1)} | ${pct(r.lat, 50).toFixed(2)} | ${pct(r.lat, 99).toFixed(2)} | ${r.ops} |`;
    }),
  ];
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  process.stdout.write(`${lines.join('\n')}\n\nload average at start ${load(loadStart)}, at end ${load(loadavg())}\n`);
}

await main();
