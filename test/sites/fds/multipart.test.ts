// Multipart upload through real HTTP (fds-protocol §6): Python, Java (MD5 trailer, content type on
// complete), Android (server-named POST, 4 KiB parts, empty complete), Go (list parts/uploads), and
// a 64 MiB upload whose full-object MD5 is checked end to end.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type FdsFixture, md5Hex, startFds } from '../../helpers/fds-fixture.ts';

interface Part {
  partNumber: number;
  etag: string;
  partSize: number;
}

/** `size` bytes of deterministic pseudo-random data in 1 MiB chunks, hashed as it is produced. */
function generated(seed: number, size: number, hash: ReturnType<typeof createHash>): AsyncIterable<Uint8Array> {
  return (async function* () {
    const chunk = 1024 * 1024;
    for (let off = 0; off < size; off += chunk) {
      const n = Math.min(chunk, size - off);
      const buf = Buffer.allocUnsafe(n);
      let x = (seed * 2654435761 + off) >>> 0;
      for (let i = 0; i < n; i += 4) {
        x = (x ^ (x << 13)) >>> 0;
        x = (x ^ (x >>> 17)) >>> 0;
        x = (x ^ (x << 5)) >>> 0;
        buf.writeUInt32LE(x, i);
      }
      hash.update(buf);
      yield buf;
    }
  })();
}

describe('FDS multipart', () => {
  let f: FdsFixture;
  const B = 'mp';
  before(async () => {
    f = await startFds({ buckets: [B] });
  });
  after(() => f.close());

  it('PY test_multipart_upload: init ?uploads=true, 3 parts of 5 MiB, complete, read back', async () => {
    const init = await f.owner.json<{ bucketName: string; objectName: string; uploadId: string }>('PUT', `/${B}/test_object?uploads=true`, {
      body: '',
    });
    assert.equal(init.bucketName, B);
    assert.equal(init.objectName, 'test_object');
    assert.match(init.uploadId, /^[A-Za-z0-9-]+$/);
    const part = Buffer.alloc(5 * 1024 * 1024, '1');
    const results: Part[] = [];
    for (let n = 1; n <= 3; n++) {
      const r = await f.owner.json<Part>('PUT', `/${B}/test_object?uploadId=${init.uploadId}&partNumber=${n}`, { body: part });
      assert.deepEqual(r, { partNumber: n, etag: md5Hex(part), partSize: part.length });
      results.push(r);
    }
    const done = await f.owner.json<Record<string, unknown>>('PUT', `/${B}/test_object?uploadId=${init.uploadId}`, {
      body: JSON.stringify({ uploadPartResultList: results }),
    });
    for (const k of ['bucketName', 'objectName', 'accessKeyId', 'signature', 'expires']) assert.ok(k in done, k);
    const g = await f.owner.send('GET', `/${B}/test_object`);
    const body = Buffer.from(await g.arrayBuffer());
    assert.equal(body.length, 15 * 1024 * 1024);
    assert.ok(body.every((c) => c === 0x31));
    assert.equal(g.headers.get('content-md5'), md5Hex(body));
    // Parts are gone and their bytes freed.
    assert.deepEqual(await f.t.ctx.db.kysely.selectFrom('fds_parts').selectAll().execute(), []);
    assert.deepEqual(await f.t.ctx.db.kysely.selectFrom('fds_blob_gc').selectAll().execute(), []);
  });

  it('PY test_abort_multipart_upload: abort leaves no object behind', async () => {
    const init = await f.owner.json<{ uploadId: string }>('PUT', `/${B}/aborted?uploads=true`);
    await f.owner.ok('PUT', `/${B}/aborted?uploadId=${init.uploadId}&partNumber=1`, { body: 'abc' });
    const r = await f.owner.send('DELETE', `/${B}/aborted?uploadId=${init.uploadId}`, {
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    assert.equal(r.status, 200);
    assert.equal((await f.owner.send('HEAD', `/${B}/aborted`)).status, 404);
    const list = await f.owner.json<{ objects: Array<{ name: string }> }>('GET', `/${B}?prefix=aborted&delimiter=`);
    assert.deepEqual(list.objects, []);
    const again = await f.owner.send('PUT', `/${B}/aborted?uploadId=${init.uploadId}&partNumber=2`, { body: 'x' });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Multipart Upload Expired/);
  });

  it('Java: ?uploads with DIRECT mode and JSON type, MD5-trailer parts, complete sets video/mp4', async () => {
    const init = await f.owner.json<{ uploadId: string }>('PUT', `/${B}/video.mp4?uploads`, {
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'x-xiaomi-multipart-upload-mode': 'DIRECT',
        'x-xiaomi-meta-test': 'test-meta-data',
        'x-xiaomi-request-id': '1a2b3c4d_-42',
      },
    });
    const parts: Part[] = [];
    const contents = [Buffer.from('first part '), Buffer.from('second')];
    for (const [i, c] of contents.entries()) {
      const trailer = createHash('md5').update(c).digest();
      parts.push(
        await f.owner.json<Part>('PUT', `/${B}/video.mp4?uploadId=${init.uploadId}&partNumber=${i + 1}`, {
          body: (async function* () {
            yield c;
            yield trailer;
          })(),
          headers: { 'content-type': 'application/octet-stream', 'x-xiaomi-meta-md5-attached-stream': '1' },
        }),
      );
    }
    assert.equal(parts[0]?.partSize, contents[0]?.length);
    await f.owner.ok('PUT', `/${B}/video.mp4?uploadId=${init.uploadId}`, {
      body: JSON.stringify({ uploadPartResultList: parts }),
      headers: { 'content-type': 'video/mp4' },
    });
    const g = await f.owner.send('GET', `/${B}/video.mp4`);
    assert.equal(g.headers.get('content-type'), 'video/mp4');
    assert.equal(g.headers.get('x-xiaomi-meta-test'), 'test-meta-data');
    assert.equal(await g.text(), 'first part second');
  });

  it('Android: POST /{b}/?uploads names the object; 4 KiB parts; an empty list makes a 0-byte object', async () => {
    const init = await f.owner.json<{ bucketName: string; objectName: string; uploadId: string }>('POST', `/${B}/?uploads`, {
      headers: { 'x-xiaomi-estimated-object-size': '8196' },
    });
    assert.match(init.objectName, /^[0-9a-f-]{36}$/);
    const data = Buffer.alloc(8196, 'a');
    const parts: Part[] = [];
    for (let off = 0, n = 1; off < data.length; off += 4096, n++) {
      parts.push(
        await f.owner.json<Part>('PUT', `/${B}/${init.objectName}?uploadId=${init.uploadId}&partNumber=${n}`, {
          body: data.subarray(off, off + 4096),
        }),
      );
    }
    assert.deepEqual(
      parts.map((p) => p.partSize),
      [4096, 4096, 4],
    );
    await f.owner.ok('PUT', `/${B}/${init.objectName}?uploadId=${init.uploadId}`, {
      body: JSON.stringify({ uploadPartResultList: parts }),
    });
    assert.equal((await f.owner.send('GET', `/${B}/${init.objectName}`)).headers.get('content-length'), '8196');

    const empty = await f.owner.json<{ objectName: string; uploadId: string }>('POST', `/${B}/?uploads`);
    await f.owner.ok('PUT', `/${B}/${empty.objectName}?uploadId=${empty.uploadId}`, { body: JSON.stringify({ uploadPartResultList: [] }) });
    const z = await f.owner.send('GET', `/${B}/${empty.objectName}`);
    assert.equal(z.headers.get('content-length'), '0');
    assert.equal(z.headers.get('content-md5'), 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('re-uploading a part replaces it; bad part numbers, unknown parts and wrong etags are 400', async () => {
    const init = await f.owner.json<{ uploadId: string }>('PUT', `/${B}/redo?uploads`);
    await f.owner.ok('PUT', `/${B}/redo?uploadId=${init.uploadId}&partNumber=1`, { body: 'old' });
    const p1 = await f.owner.json<Part>('PUT', `/${B}/redo?uploadId=${init.uploadId}&partNumber=1`, { body: 'new!' });
    for (const n of ['0', '10001', 'x']) {
      const r = await f.owner.send('PUT', `/${B}/redo?uploadId=${init.uploadId}&partNumber=${n}`, { body: 'x' });
      assert.equal(r.status, 400, n);
      assert.match(await r.text(), /Invalid Part Number or Size/);
    }
    const missing = await f.owner.send('PUT', `/${B}/redo?uploadId=${init.uploadId}`, {
      body: JSON.stringify({ uploadPartResultList: [p1, { partNumber: 2, etag: 'x', partSize: 1 }] }),
    });
    assert.equal(missing.status, 400);
    const wrongEtag = await f.owner.send('PUT', `/${B}/redo?uploadId=${init.uploadId}`, {
      body: JSON.stringify({ uploadPartResultList: [{ ...p1, etag: md5Hex('old') }] }),
    });
    assert.equal(wrongEtag.status, 400);
    // Go: list parts and uploads.
    const listed = await f.owner.json<{ uploadPartResultList: Part[] }>('GET', `/${B}/redo?uploadId=${init.uploadId}`);
    assert.deepEqual(
      listed.uploadPartResultList.map((p) => [p.partNumber, p.etag, p.partSize]),
      [[1, md5Hex('new!'), 4]],
    );
    const uploads = await f.owner.json<{ uploads: Array<{ objectName: string; uploadId: string }> }>(
      'GET',
      `/${B}?uploads&prefix=redo&delimiter=&maxKeys=1000`,
    );
    assert.ok(uploads.uploads.some((u) => u.uploadId === init.uploadId && u.objectName === 'redo'));
    await f.owner.ok('PUT', `/${B}/redo?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: [p1] }) });
    assert.equal(await (await f.owner.send('GET', `/${B}/redo`)).text(), 'new!');
    // Uploads are invisible to HEAD and listings until complete, and others may not write.
    assert.equal((await f.other.send('PUT', `/${B}/redo?uploads`)).status, 403);
  });

  it('?uploads lists by prefix and says when it cut the list at 1000', async () => {
    await f.owner.ok('PUT', '/many-uploads');
    const row = (name: string, i: number) => ({
      upload_id: `u-many-${i}`,
      bucket: 'many-uploads',
      name,
      owner_id: f.ownerKey.developerId,
      content_type: null,
      meta: '{}',
      created_at: Date.now(),
    });
    const rows = Array.from({ length: 1001 }, (_, i) => row(`in/${String(i).padStart(4, '0')}`, i));
    rows.push(row('inz', 2000), row('out/x', 2001));
    for (let i = 0; i < rows.length; i += 200)
      await f.t.ctx.db.kysely
        .insertInto('fds_uploads')
        .values(rows.slice(i, i + 200))
        .execute();
    type Listed = { isTruncated: boolean; uploads: Array<{ objectName: string }> };
    const all = await f.owner.json<Listed>('GET', '/many-uploads?uploads&prefix=in/');
    assert.equal(all.isTruncated, true);
    assert.equal(all.uploads.length, 1000);
    assert.ok(all.uploads.every((u) => u.objectName.startsWith('in/')));
    const few = await f.owner.json<Listed>('GET', '/many-uploads?uploads&prefix=out');
    assert.equal(few.isTruncated, false);
    assert.deepEqual(
      few.uploads.map((u) => u.objectName),
      ['out/x'],
    );
  });

  it('complete lists each part once: repeats, more than 10,000 entries and bad numbers are 400 and store nothing', async () => {
    const init = await f.owner.json<{ uploadId: string }>('PUT', `/${B}/amplified?uploads`);
    const part = Buffer.alloc(100 * 1024, 'p');
    const p1 = await f.owner.json<Part>('PUT', `/${B}/amplified?uploadId=${init.uploadId}&partNumber=1`, { body: part });
    const p2 = await f.owner.json<Part>('PUT', `/${B}/amplified?uploadId=${init.uploadId}&partNumber=2`, { body: 'tail' });
    const complete = (list: unknown[]) =>
      f.owner.send('PUT', `/${B}/amplified?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: list }) });
    const refusals: Array<[string, unknown[]]> = [
      ['one 100 kB part listed 1000 times', Array.from({ length: 1000 }, () => ({ partNumber: 1 }))],
      ['a repeat after another part', [p1, p2, p1]],
      ['10,001 entries', Array.from({ length: 10_001 }, (_, i) => ({ partNumber: i + 1 }))],
      ['part number 0', [{ partNumber: 0 }]],
      ['a fractional part number', [{ partNumber: 1.5 }]],
    ];
    for (const [what, list] of refusals) {
      const r = await complete(list);
      assert.equal(r.status, 400, what);
      const body = (await r.json()) as { code: number; error: string };
      assert.equal(body.error, 'InvalidPartNumberOrSize', what);
    }
    assert.equal((await f.owner.send('HEAD', `/${B}/amplified`)).status, 404);
    // An unsorted list (no SDK sends one) is put in part-number order; each part once.
    await f.owner.ok('PUT', `/${B}/amplified?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: [p2, p1] }) });
    const g = await f.owner.send('GET', `/${B}/amplified`);
    assert.equal(g.headers.get('content-length'), String(part.length + 4));
    assert.equal(md5Hex(Buffer.from(await g.arrayBuffer())), md5Hex(Buffer.concat([part, Buffer.from('tail')])));
  });

  it('a 64 MiB upload in 4 parts has the right full-object MD5', async () => {
    const part = 16 * 1024 * 1024;
    const whole = createHash('md5');
    const init = await f.owner.json<{ uploadId: string }>('PUT', `/${B}/big-64m.bin?uploads`);
    const parts: Part[] = [];
    for (let n = 1; n <= 4; n++) {
      const ph = createHash('md5');
      const tee = (async function* () {
        for await (const c of generated(n, part, whole)) {
          ph.update(c);
          yield c;
        }
      })();
      const r = await f.owner.json<Part>('PUT', `/${B}/big-64m.bin?uploadId=${init.uploadId}&partNumber=${n}`, { body: tee });
      assert.equal(r.etag, ph.digest('hex'));
      parts.push(r);
    }
    const expected = whole.digest('hex');
    await f.owner.ok('PUT', `/${B}/big-64m.bin?uploadId=${init.uploadId}`, { body: JSON.stringify({ uploadPartResultList: parts }) });
    const head = await f.owner.send('HEAD', `/${B}/big-64m.bin`);
    assert.equal(head.headers.get('content-md5'), expected);
    assert.equal(head.headers.get('content-length'), String(64 * 1024 * 1024));
    const g = await f.owner.send('GET', `/${B}/big-64m.bin`);
    const h = createHash('md5');
    let size = 0;
    for await (const c of g.body as unknown as AsyncIterable<Uint8Array>) {
      h.update(c);
      size += c.length;
    }
    assert.equal(size, 64 * 1024 * 1024);
    assert.equal(h.digest('hex'), expected);
  });
});
