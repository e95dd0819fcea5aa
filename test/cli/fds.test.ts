// `opal fds …` end to end: the real CLI (node bin/opal.js) against a real FDS origin from
// startTestServer(), signing with an app's access key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer, tmpDir } from '../helpers/env.ts';
import { payload } from '../helpers/fds-data.ts';
import { type OpalRun, opal as runOpal } from '../helpers/opal-cli.ts';

let t: TestServer;
let env: Record<string, string>;
const work = tmpDir('opal-fds-cli-');

before(async () => {
  t = await startTestServer();
  // The onboarding path of the docs: `opal app create --json` prints the app's FDS key (run on the
  // server's own SQLite data directory).
  env = { OPAL_DATA_DIR: t.dataDir, OPAL_LOG_LEVEL: 'silent' };
  const created = json(
    await ok(['app', 'create', '--name', 'cli test', '--redirect-uri', 'http://127.0.0.1/cb', '--developer', 'cli-dev', '--json']),
  );
  assert.match(created.accessKeyId, /^\S+$/);
  assert.match(created.accessSecret, /^\S{20,}$/);
  env = {
    OPAL_FDS_ENDPOINT: t.fdsUrl,
    OPAL_FDS_ACCESS_KEY: created.accessKeyId,
    OPAL_FDS_SECRET: created.accessSecret,
  };
});

after(async () => {
  await t?.close();
  work.remove();
});

/** `opal …args` as a real process, with the connection of `env` (and `opts.env` over it). */
function opal(args: string[], opts: { input?: Buffer; env?: Record<string, string> } = {}): Promise<OpalRun> {
  return runOpal(args, { ...env, ...opts.env }, opts.input ? { input: opts.input } : {});
}

async function ok(args: string[], opts: Parameters<typeof opal>[1] = {}): Promise<OpalRun> {
  const r = await opal(args, opts);
  assert.equal(r.code, 0, `opal ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r;
}

const json = (r: OpalRun) => JSON.parse(r.stdout);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('mb, put (file and stdin), ls, get (file and stdout), rm, rb', { timeout: 180_000 }, async () => {
  assert.deepEqual(json(await ok(['fds', 'mb', 'cli-bucket', '--json'])), { bucket: 'cli-bucket', created: true });

  // Independent commands run side by side (each is a process start).
  const body = payload(3, 300_000);
  const file = join(work.path, 'in.bin');
  writeFileSync(file, body);
  const name = 'dir/中文 x+y.bin';
  const small = Buffer.from('hello from stdin\n');
  const [buckets, putRun, stdinRun] = await Promise.all([
    ok(['--json', 'fds', 'ls']),
    ok(['fds', 'put', 'cli-bucket', name, file, '--content-type', 'application/x-test', '--meta', 'color=blue', '--json']),
    // stdin, sent chunked (length unknown); checked against the stored MD5 afterwards.
    ok(['fds', 'put', 'cli-bucket', 'top.txt', '--json'], { input: small }),
  ]);
  assert.ok(json(buckets).buckets.some((b: { name: string }) => b.name === 'cli-bucket'));
  const put = json(putRun);
  assert.equal(put.object, name);
  assert.equal(put.size, body.length);
  assert.equal(put.md5, md5(body));
  assert.equal(put.multipart, false);
  const fromStdin = json(stdinRun);
  assert.equal(fromStdin.size, small.length);
  assert.equal(fromStdin.md5, md5(small));

  const out = join(work.path, 'out.bin');
  const [textRun, flatRun, underRun, gotRun, piped, ranged, presigned, busy, pipedJson] = await Promise.all([
    ok(['fds', 'ls', 'cli-bucket']),
    ok(['fds', 'ls', 'cli-bucket', '--recursive', '--json']),
    ok(['fds', 'ls', 'cli-bucket', 'dir/', '--json']),
    ok(['fds', 'get', 'cli-bucket', name, out, '--json']),
    ok(['fds', 'get', 'cli-bucket', name]),
    ok(['fds', 'get', 'cli-bucket', name, '-', '--range', 'bytes=10-19']),
    ok(['fds', 'presign', 'cli-bucket', name, '--method', 'HEAD']),
    // A non-empty bucket is not removed without --force.
    opal(['fds', 'rb', 'cli-bucket']),
    ok(['fds', 'get', 'cli-bucket', 'top.txt', '--json']),
  ]);
  // With the object on stdout, the --json summary goes to stderr.
  assert.ok(pipedJson.bytes.equals(small));
  assert.equal(JSON.parse(pipedJson.stderr).md5, md5(small));
  // Text listing: directories roll up as PRE lines; --recursive lists every name.
  const text = textRun.stdout;
  assert.match(text, /PRE\s+dir\//);
  assert.match(text, /\b17\s+\S+\s+top\.txt\n/);
  const flat = json(flatRun);
  assert.deepEqual(
    flat.objects.map((o: { name: string }) => o.name),
    [name, 'top.txt'],
  );
  assert.equal(flat.objects[0].size, body.length);
  assert.deepEqual(
    json(underRun).objects.map((o: { name: string }) => o.name),
    [name],
  );
  // Download to a file (renamed into place only when complete) and to stdout.
  const got = json(gotRun);
  assert.equal(got.md5, md5(body));
  assert.equal(got.verified, true);
  assert.ok(readFileSync(out).equals(body));
  assert.deepEqual(
    readdirSync(work.path).filter((f) => f.endsWith('.part')),
    [],
  );
  assert.ok(piped.bytes.equals(body), 'stdout carries exactly the object bytes');
  assert.ok(ranged.bytes.equals(body.subarray(10, 20)));
  // Stored metadata came from --content-type and --meta.
  const head = await fetch(presigned.stdout.trim(), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'application/x-test');
  assert.equal(head.headers.get('x-xiaomi-meta-color'), 'blue');
  assert.equal(busy.code, 4, 'a non-empty bucket: 409');

  const rm = json(await ok(['fds', 'rm', 'cli-bucket', 'top.txt', '--json']));
  assert.deepEqual(
    rm.deleted.map((d: { object: string }) => d.object),
    ['top.txt'],
  );
  const missing = await opal(['fds', 'get', 'cli-bucket', 'top.txt', join(work.path, 'gone.bin')]);
  assert.equal(missing.code, 3, 'a missing object exits 3');
  assert.match(missing.stderr, /404/);
  assert.deepEqual(
    readdirSync(work.path).filter((f) => f.includes('gone.bin')),
    [],
    'a failed download leaves no file',
  );

  const rb = json(await ok(['fds', 'rb', 'cli-bucket', '--force', '--json']));
  assert.equal(rb.deleted, true);
  assert.equal(rb.removedObjects, 1);
  const after = json(await ok(['fds', 'ls', '--json']));
  assert.ok(!after.buckets.some((b: { name: string }) => b.name === 'cli-bucket'));
});

test('multipart put above the threshold: parts, whole-object MD5, get back', { timeout: 120_000 }, async () => {
  await ok(['fds', 'mb', 'cli-multi']);
  const body = payload(9, 10 * 1024 * 1024 + 777);
  const file = join(work.path, 'multi.bin');
  writeFileSync(file, body);
  const put = json(await ok(['fds', 'put', 'cli-multi', 'big/one.bin', file, '--part-size', '4MiB', '--json']));
  assert.equal(put.multipart, true);
  assert.equal(put.parts, 3);
  assert.equal(put.md5, md5(body));
  const got = await ok(['fds', 'get', 'cli-multi', 'big/one.bin']);
  assert.equal(md5(got.bytes), md5(body));
  // Below the threshold the same file goes in one PUT.
  const single = json(
    await ok(['fds', 'put', 'cli-multi', 'big/two.bin', file, '--part-size', '4MiB', '--multipart-threshold', '64MiB', '--json']),
  );
  assert.equal(single.multipart, false);
  assert.equal(single.md5, md5(body));
});

test('presign: the URL works without credentials until it expires; PUT presigns upload', { timeout: 60_000 }, async () => {
  await ok(['fds', 'mb', 'cli-presign']);
  const up = json(await ok(['fds', 'presign', 'cli-presign', 'a b/c.txt', '--method', 'PUT', '--expires-in', '10m', '--json']));
  assert.equal(up.method, 'PUT');
  assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\/cli-presign\/a%20b\/c\.txt\?GalaxyAccessKeyId=[^&]+&Expires=\d+&Signature=/);
  // A Uint8Array body makes fetch send no Content-Type, matching the (empty) signed one.
  const putRes = await fetch(up.url, { method: 'PUT', body: Buffer.from('presigned body') });
  assert.equal(putRes.status, 200, await putRes.clone().text());
  // A Content-Type is part of the signature: presign with it, send the same.
  const typed = json(await ok(['fds', 'presign', 'cli-presign', 't.txt', '--method', 'PUT', '--content-type', 'text/plain', '--json']));
  const typedRes = await fetch(typed.url, { method: 'PUT', body: 'typed', headers: { 'content-type': 'text/plain' } });
  assert.equal(typedRes.status, 200, await typedRes.clone().text());
  const wrongType = await fetch(typed.url, { method: 'PUT', body: 'typed', headers: { 'content-type': 'text/html' } });
  assert.equal(wrongType.status, 403);
  const url = (await ok(['fds', 'presign', 'cli-presign', 'a b/c.txt'])).stdout.trim();
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'presigned body');
  // Tampering with the signed path is refused.
  const other = await fetch(url.replace('c.txt', 'd.txt'));
  assert.equal(other.status, 403);
});

test('errors: exit codes and messages', { timeout: 120_000 }, async () => {
  const [noKey, badSecret, noBucket, badSize, badEndpoint, usage] = await Promise.all([
    opal(['fds', 'ls'], { env: { OPAL_FDS_ACCESS_KEY: '' } }),
    opal(['fds', 'ls', '--json'], { env: { OPAL_FDS_SECRET: 'wrong' } }),
    opal(['fds', 'ls', 'no-such-bucket']),
    opal(['fds', 'put', 'cli-dup', 'x', '--part-size', 'lots']),
    opal(['fds', 'ls', '--endpoint', 'http://127.0.0.1:1/fds']),
    opal(['fds', 'rm', 'cli-dup', '--json']),
  ]);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /OPAL_FDS_ACCESS_KEY/);
  assert.equal(badSecret.code, 1);
  const err = json(badSecret);
  assert.equal(err.status, 403);
  assert.match(err.error, /Signature Does Not Match|Authentication Failed/);
  assert.equal(noBucket.code, 3);
  assert.equal(badEndpoint.code, 2, 'an endpoint with a path is refused (FDS has no path prefix)');
  assert.equal(usage.code, 2, 'a usage error exits 2, in the JSON error shape of every command');
  assert.deepEqual(json(usage), { error: "missing required argument 'objects'", code: 2 });
  await ok(['fds', 'mb', 'cli-dup']);
  const dup = await opal(['fds', 'mb', 'cli-dup']);
  assert.equal(dup.code, 4, 'an existing bucket exits 4 (409)');
  assert.equal(badSize.code, 2);
  assert.match(badSize.stderr, /--part-size/);
  // Not a terminal: no progress bar, nothing but the summary.
  const file = join(work.path, 'progress.bin');
  writeFileSync(file, payload(5, 5 * 1024 * 1024));
  const quiet = await ok(['fds', 'put', 'cli-dup', 'p.bin', file]);
  assert.equal(quiet.stderr, '');
  assert.match(quiet.stdout, /^uploaded cli-dup\/p\.bin: 5\.00 MiB, md5 [0-9a-f]{32}\n$/);
});

test('thumb and webp: processed images written to a file, bad options exit 2, non-images exit 1', { timeout: 120_000 }, async () => {
  const sharp = (await import('sharp')).default;
  const src = join(work.path, 'photo.jpg');
  writeFileSync(
    src,
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer(),
  );
  await ok(['fds', 'mb', 'cli-img']);
  await ok(['fds', 'put', 'cli-img', 'photo.jpg', src, '--content-type', 'image/jpeg']);
  const thumbFile = join(work.path, 'thumb.jpg');
  const t1 = json(await ok(['fds', 'thumb', 'cli-img', 'photo.jpg', thumbFile, '--width', '160', '--height', '160', '--json']));
  assert.equal(t1.contentType, 'image/jpeg');
  assert.equal(t1.cached, false);
  const meta = await sharp(readFileSync(thumbFile)).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 160, 120]);
  assert.equal(t1.size, readFileSync(thumbFile).length);
  const t2 = json(
    await ok(['fds', 'thumb', 'cli-img', 'photo.jpg', join(work.path, 'thumb2.jpg'), '--width', '160', '--height', '160', '--json']),
  );
  assert.equal(t2.cached, true, 'the second time the derived cache answers');
  const webpFile = join(work.path, 'photo.webp');
  const human = await ok(['fds', 'webp', 'cli-img', 'photo.jpg', webpFile, '--quality', '60']);
  assert.match(human.stdout, /^wrote .*photo\.webp: image\/webp, /);
  assert.equal((await sharp(readFileSync(webpFile)).metadata()).format, 'webp');
  const usage = await opal(['fds', 'thumb', 'cli-img', 'photo.jpg', join(work.path, 'x.jpg')]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--width or --height/);
  assert.equal((await opal(['fds', 'webp', 'cli-img', 'photo.jpg', join(work.path, 'y.webp'), '--quality', '0'])).code, 2);
  writeFileSync(join(work.path, 'notes.txt'), 'text');
  await ok(['fds', 'put', 'cli-img', 'notes.txt', join(work.path, 'notes.txt')]);
  const notImage = await opal(['fds', 'thumb', 'cli-img', 'notes.txt', join(work.path, 'n.jpg'), '--width', '10', '--json']);
  assert.equal(notImage.code, 1);
  assert.equal(json(notImage).status, 400);
  assert.deepEqual(
    readdirSync(work.path).filter((n) => n.endsWith('.part')),
    [],
    'no partial files left',
  );
});
