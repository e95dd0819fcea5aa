// The FDS client library behind `opal fds` (src/fds-client), in process: configuration and size
// parsing, the progress bar's terminal rule, and transfers against a real FDS origin: multipart
// ordering and MD5s, stdin-style chunked uploads, downloads that never leave a partial file, and
// a multipart upload that fails midway is aborted (nothing visible, no upload left behind).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ENDPOINT, resolveClientConfig } from '../../src/cli/fds-client/config.ts';
import { downloadFile } from '../../src/cli/fds-client/download.ts';
import { FdsError } from '../../src/cli/fds-client/errors.ts';
import { FdsHttp } from '../../src/cli/fds-client/http.ts';
import { createBucket, headObject, listObjects } from '../../src/cli/fds-client/operations.ts';
import { createProgress } from '../../src/cli/fds-client/progress.ts';
import { formatSize, parseSize } from '../../src/cli/fds-client/sizes.ts';
import { uploadFile, uploadStream } from '../../src/cli/fds-client/upload.ts';
import { InvalidInputError } from '../../src/lib/errors.ts';
import { payload } from '../fixtures/fds-data.ts';
import { startTestServer, type TestServer, tmpDir } from '../helpers/env.ts';

describe('configuration and sizes', () => {
  test('options win over the environment; the endpoint defaults to the local FDS origin', () => {
    const env = { OPAL_FDS_ENDPOINT: 'http://env:1', OPAL_FDS_ACCESS_KEY: 'AKENV', OPAL_FDS_SECRET: 'SENV' };
    assert.deepEqual(resolveClientConfig({}, env), { endpoint: 'http://env:1', accessKeyId: 'AKENV', secret: 'SENV' });
    assert.deepEqual(resolveClientConfig({ endpoint: 'https://opt:2/', accessKey: 'AK', secret: 'S' }, env), {
      endpoint: 'https://opt:2',
      accessKeyId: 'AK',
      secret: 'S',
    });
    assert.equal(resolveClientConfig({ accessKey: 'AK', secret: 'S' }, {}).endpoint, DEFAULT_ENDPOINT);
  });

  test('missing key, secret or a bad endpoint are usage errors naming the fix', () => {
    assert.throws(
      () => resolveClientConfig({ secret: 'S' }, {}),
      (e: unknown) => e instanceof InvalidInputError && /OPAL_FDS_ACCESS_KEY/.test(e.message),
    );
    assert.throws(
      () => resolveClientConfig({ accessKey: 'A' }, {}),
      (e: unknown) => e instanceof InvalidInputError && /OPAL_FDS_SECRET/.test(e.message),
    );
    for (const endpoint of ['ftp://x', 'not a url', 'http://h:1/prefix', 'http://h:1/?q=1']) {
      assert.throws(() => resolveClientConfig({ endpoint, accessKey: 'A', secret: 'S' }, {}), InvalidInputError, endpoint);
    }
  });

  test('sizes', () => {
    assert.equal(parseSize('4096'), 4096);
    assert.equal(parseSize('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseSize('8m'), 8 * 1024 * 1024);
    assert.equal(parseSize('10MB'), 10_000_000);
    assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
    for (const bad of ['', 'lots', '0', '-1', '5XB', '1e3']) assert.throws(() => parseSize(bad), InvalidInputError, bad);
    assert.equal(formatSize(512), '512 B');
    assert.equal(formatSize(5 * 1024 * 1024), '5.00 MiB');
  });
});

describe('progress bar', () => {
  function sink(isTTY: boolean): { stream: NodeJS.WriteStream; text(): string } {
    let text = '';
    const w = new Writable({
      write(chunk, _enc, cb) {
        text += String(chunk);
        cb();
      },
    });
    Object.assign(w, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    return { stream: w as unknown as NodeJS.WriteStream, text: () => text };
  }

  test('drawn on a terminal for a large transfer', () => {
    const s = sink(true);
    const p = createProgress('put b/o', true, s.stream);
    p.start(8 * 1024 * 1024);
    p.add(8 * 1024 * 1024);
    p.stop();
    assert.match(s.text(), /put b\/o .*100% \| 8\.00 MiB \/ 8\.00 MiB/);
  });

  test('never drawn when not a terminal, with --json, or for a small transfer', () => {
    for (const [tty, enabled, size] of [
      [false, true, 64 * 1024 * 1024],
      [true, false, 64 * 1024 * 1024],
      [true, true, 1024],
    ] as const) {
      const s = sink(tty);
      const p = createProgress('x', enabled, s.stream);
      p.start(size);
      p.add(size);
      p.stop();
      assert.equal(s.text(), '', `tty=${tty} enabled=${enabled} size=${size}`);
    }
  });
});

describe('transfers against a real FDS origin', () => {
  let t: TestServer;
  let c: FdsHttp;
  const work = tmpDir('opal-fds-client-');

  before(async () => {
    t = await startTestServer();
    const { app } = await t.ctx.services.apps.create({
      name: 'client',
      redirectUris: 'http://127.0.0.1/cb',
      scopes: [1],
      developer: 'client-dev',
    });
    const key = await t.ctx.services.fdsKeys.ensure(app.clientId);
    c = new FdsHttp({ endpoint: t.fdsUrl, accessKeyId: key.accessKeyId, secret: key.accessSecret });
    await createBucket(c, 'tx');
  });

  after(async () => {
    c?.close();
    await t?.close();
    work.remove();
  });

  test('multipart upload from a file: parts in order, whole-object MD5, progress adds up', async () => {
    const body = payload(11, 3 * 1024 * 1024 + 5);
    const file = join(work.path, 'm.bin');
    writeFileSync(file, body);
    let progressed = 0;
    const r = await uploadFile(c, 'tx', 'm/one.bin', file, {
      partSize: 1024 * 1024,
      onProgress: (n) => (progressed += n),
      meta: { k: 'v' },
    });
    assert.equal(r.multipart, true);
    assert.equal(r.parts, 4);
    assert.equal(progressed, body.length);
    const h = await headObject(c, 'tx', 'm/one.bin');
    assert.equal(h?.['content-md5'], r.md5);
    assert.equal(h?.['x-xiaomi-meta-k'], 'v');
    const out = join(work.path, 'm.out');
    const d = await downloadFile(c, 'tx', 'm/one.bin', out);
    assert.equal(d.verified, true);
    assert.ok(readFileSync(out).equals(body));
  });

  test('stream upload of unknown length (chunked) and an empty file', async () => {
    const body = payload(12, 200_000);
    const r = await uploadStream(c, 'tx', 's.bin', Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    assert.equal(r.size, body.length);
    const h = await headObject(c, 'tx', 's.bin');
    assert.equal(h?.['content-md5'], r.md5);
    const empty = join(work.path, 'empty');
    writeFileSync(empty, '');
    const e = await uploadFile(c, 'tx', 'empty', empty);
    assert.equal(e.md5, 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(e.multipart, false);
  });

  test('a multipart upload that fails midway is aborted: no upload left, nothing visible', async () => {
    const file = join(work.path, 'f.bin');
    writeFileSync(file, payload(13, 3 * 1024 * 1024));
    let sent = 0;
    // The source file disappears once the first part is sent: the second part cannot be read (a
    // local error, not retried), and the upload is aborted.
    const failing = uploadFile(c, 'tx', 'gone/f.bin', file, {
      partSize: 1024 * 1024,
      onProgress: (n) => {
        sent += n;
        if (sent === 1024 * 1024) rmSync(file);
      },
    });
    await assert.rejects(failing, (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT');
    assert.equal(await headObject(c, 'tx', 'gone/f.bin'), undefined);
    const names: string[] = [];
    for await (const p of listObjects(c, 'tx', { prefix: 'gone/', delimiter: '' })) names.push(...p.objects.map((o) => o.name));
    assert.deepEqual(names, []);
    const uploads = await c.json<{ uploads: Array<{ objectName: string }> }>({
      method: 'GET',
      bucket: 'tx',
      query: 'uploads&prefix=gone%2F',
    });
    assert.deepEqual(uploads.uploads, [], 'the multipart upload was aborted');
  });

  test('a failed download leaves no file behind', async () => {
    const out = join(work.path, 'missing.out');
    await assert.rejects(downloadFile(c, 'tx', 'no-such-object', out), (e: unknown) => e instanceof FdsError && e.status === 404);
    assert.deepEqual(
      readdirSync(work.path).filter((f) => f.includes('missing.out')),
      [],
    );
  });
});
