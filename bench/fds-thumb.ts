// Thumbnail benchmark: `GET /{b}/{o}?thumb=1&w=256&h=256` of a 12-megapixel JPEG (4000 × 3000,
// made here with sharp) against Opal's FDS origin in its own process (embedded stores, data
// directory in the temp dir), first (the derived cache misses: every request names an object not
// thumbnailed yet) and cached (the same objects again: `x-opal-derived: hit`). Beside it, the
// ceiling in the same run: sharp alone in this process making the same thumbnail from the JPEG in
// memory, as many at once as the server allows (2). Loopback only; each phase is bounded by a count
// and a time limit. The Opal phases run twice: blobs as they are, and encrypted at rest
// (OPAL_BLOB_ENCRYPTION_KEY, docs/storage.md), where the source and the cached result are decrypted.
//
//   node --import tsx bench/fds-thumb.ts [--objects 12] [--seconds 5] [--concurrency 4]
//
// Prints a Markdown table (with the machine, the date and the load average) for bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FdsHttp } from '../src/cli/fds-client/http.ts';
import { createBucket, putObject } from '../src/cli/fds-client/operations.ts';
import { bundleFixture, startChild } from '../test/helpers/child-server.ts';
import { pct, timedPhase } from './lib/timed-phase.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '4' },
  },
});
const OBJECTS = Number(values.objects);
const SECONDS = Number(values.seconds);
const CONC = Number(values.concurrency);

interface Row {
  what: string;
  ops: number;
  seconds: number;
  lat: number[];
}
const rows: Row[] = [];

/** Runs `fn(i)` on `conc` workers for at most `maxOps` calls or SECONDS (at least `minOps`). */
async function phase(what: string, maxOps: number, conc: number, fn: (i: number) => Promise<void>, minOps = 1): Promise<void> {
  const { lat, seconds } = await timedPhase(SECONDS, maxOps, conc, fn, minOps);
  const r = { what, ops: lat.length, seconds, lat };
  rows.push(r);
  process.stderr.write(
    `  ${what.padEnd(44)} ${(r.ops / r.seconds).toFixed(2)}/s p50 ${pct(r.lat, 50).toFixed(1)} ms p99 ${pct(r.lat, 99).toFixed(1)} ms (n=${r.ops})\n`,
  );
}

/** A 4000 × 3000 JPEG with detail everywhere (a gradient under noise), so decoding does real work. */
async function twelveMegapixelJpeg(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#1e3a8a"/><stop offset="1" stop-color="#f59e0b"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  );
  return sharp(gradient)
    .composite([{ input: noise, blend: 'overlay' }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const jpeg = await twelveMegapixelJpeg();
const meta = await sharp(jpeg).metadata();
process.stderr.write(`# source: ${meta.width}×${meta.height} JPEG, ${(jpeg.length / 1e6).toFixed(1)} MB\n`);

// Ceiling: sharp alone, the same operation (fit inside 256 × 256, no upscaling), 2 at a time.
await phase('sharp in process (ceiling), 2 at once', OBJECTS, 2, async () => {
  await sharp(jpeg).resize(256, 256, { fit: 'inside', withoutEnlargement: true }).jpeg().toBuffer();
});

/** The first and cached phases against a fresh server started with `env`, rows labelled with `label`. */
async function opal(label: string, env: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'opal-bench-thumb-'));
  const server = await startChild(bundle.file, { dataDir: dir, createKey: true, env });
  try {
    if (!server.key) throw new Error('the fixture server made no key');
    const c = new FdsHttp({ endpoint: server.url, accessKeyId: server.key.accessKeyId, secret: server.key.accessSecret });
    await createBucket(c, 'thumbs');
    for (let i = 0; i < OBJECTS + 1; i++) await putObject(c, 'thumbs', `photo-${i}.jpg`, { body: jpeg }, { contentType: 'image/jpeg' });
    const thumb = async (i: number, expect: 'hit' | 'miss') => {
      const res = await c.send({ method: 'GET', bucket: 'thumbs', object: `photo-${i}.jpg`, query: 'thumb=1&w=256&h=256' });
      let n = 0;
      for await (const b of res.body as AsyncIterable<Buffer>) n += b.length;
      const derived = res.headers['x-opal-derived'];
      if (res.status !== 200 || n === 0 || derived !== expect)
        throw new Error(`photo-${i}: ${res.status}, ${n} bytes, derived ${derived}, expected ${expect}`);
    };
    // Warm-up (not recorded): the first image loads libvips' JPEG paths in the server.
    await thumb(OBJECTS, 'miss');
    await phase(`${label} first (cache miss), ${CONC} conns`, OBJECTS, CONC, (i) => thumb(i, 'miss'), OBJECTS);
    await phase(`${label} cached (cache hit), ${CONC} conns`, 100_000, CONC, (i) => thumb(i % OBJECTS, 'hit'));
    c.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bundle = await bundleFixture();
try {
  await opal('opal', {});
  await opal('opal, blobs encrypted', { OPAL_BLOB_ENCRYPTION_KEY: randomBytes(32).toString('hex') });
} finally {
  bundle.remove();
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `${new Date().toISOString()} — ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end; source ${meta.width}×${meta.height} JPEG of ${(jpeg.length / 1e6).toFixed(1)} MB\n`,
);
console.log('| what | thumbnails/s | p50 ms | p99 ms | n |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.what} | ${(r.ops / r.seconds).toFixed(r.ops / r.seconds < 10 ? 2 : 0)} | ${pct(r.lat, 50).toFixed(1)} | ${pct(r.lat, 99).toFixed(1)} | ${r.ops} |`,
  );
}
