// Encryption at rest over real HTTP (docs/storage.md): the bytes on disk are not the plaintext
// while what clients see (bytes, Content-Length, Content-MD5, ranges) is unchanged; ranges across
// chunk boundaries, the last partial chunk and suffix ranges are right; a flipped byte on disk is
// an error answer, or a cut connection after only authenticated bytes, never wrong bytes served as
// success. Key rotation (`opal fds rekey`) is in test/cli/fds-rekey.test.ts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { authorizationHeader } from '../../../src/core/fds/signer.ts';
import { CHUNK_SIZE, HEADER_SIZE, storedSizeOf } from '../../../src/store/blobs/blob-cipher.ts';
import { parseS3Url, S3BlobStore } from '../../../src/store/blobs/s3-blob-store.ts';
import { type FdsFixture, md5Hex, type StoredBlobBytes, startFds, storedBlob, storedBlobOf } from '../../helpers/fds-fixture.ts';
import { type S3rverHandle, startS3rver } from '../../helpers/s3rver.ts';

const KEY = randomBytes(32).toString('hex');
const SIZE = 3 * CHUNK_SIZE + 1000;

/** Every range the suite asks for, with the bytes [start, end] it must answer. */
function ranges(size: number): Array<[header: string, start: number, end: number]> {
  const c = CHUNK_SIZE;
  return [
    ['bytes=0-9', 0, 9],
    [`bytes=${c - 6}-${c + 9}`, c - 6, c + 9],
    [`bytes=${c}-${2 * c - 1}`, c, 2 * c - 1],
    [`bytes=100-${size - 100}`, 100, size - 100],
    [`bytes=${3 * c + 10}-`, 3 * c + 10, size - 1],
    [`bytes=${2 * c + 5}-${size + 5000}`, 2 * c + 5, size - 1],
    ['bytes=-10', size - 10, size - 1],
    [`bytes=-${c + 1500}`, size - c - 1500, size - 1],
  ];
}

async function checkRanges(f: FdsFixture, path: string, data: Buffer): Promise<void> {
  for (const [header, start, end] of ranges(data.length)) {
    const r = await f.owner.send('GET', path, { headers: { range: header } });
    assert.equal(r.status, 206, header);
    assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${data.length}`, header);
    assert.equal(r.headers.get('content-length'), String(end - start + 1), header);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(data.subarray(start, end + 1)), `${header}: bytes`);
  }
}

/** XORs the byte at `at` of a stored blob with `mask`; returns what puts the bytes back. */
async function flipByte(stored: StoredBlobBytes, at: number, mask: number): Promise<() => Promise<void>> {
  const good = await stored.read();
  const bad = Buffer.from(good);
  bad[at] = (bad[at] as number) ^ mask;
  await stored.write(bad);
  return () => stored.write(good);
}

/** A raw GET: status, headers and every body byte that arrived, and whether the body ended cleanly. */
function rawGet(url: string, auth: Record<string, string>): Promise<{ status: number; length: number; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: auth }, (res) => {
      const parts: Buffer[] = [];
      let settled = false;
      const done = (complete: boolean) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), body: Buffer.concat(parts), complete });
      };
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => done(res.complete));
      res.on('aborted', () => done(false));
      res.on('error', () => done(false));
      res.on('close', () => done(res.complete));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('FDS with encryption at rest (filesystem blobs)', () => {
  let f: FdsFixture;
  const data = randomBytes(SIZE);
  const stored = (name: string) => storedBlobOf(f, 'enc', name);

  before(async () => {
    f = await startFds({ env: { OPAL_BLOB_ENCRYPTION_KEY: KEY }, buckets: ['enc'] });
  });
  after(async () => {
    await f?.close();
  });

  it('stores ciphertext on disk; the client sees the plaintext, its length and MD5', async () => {
    const put = await f.owner.json<{ objectName: string }>('PUT', '/enc/big.bin', { body: data, headers: { 'content-md5': md5Hex(data) } });
    assert.equal(put.objectName, 'big.bin');
    const disk = await (await stored('big.bin')).read();
    assert.equal(disk.length, storedSizeOf(SIZE));
    for (const at of [0, CHUNK_SIZE - 16, 2 * CHUNK_SIZE + 3, SIZE - 64]) {
      assert.equal(disk.indexOf(data.subarray(at, at + 32)), -1, `plaintext at ${at} is not on disk`);
    }
    const g = await f.owner.send('GET', '/enc/big.bin');
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-length'), String(SIZE));
    assert.equal(g.headers.get('content-md5'), md5Hex(data));
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(data));
    const h = await f.owner.send('HEAD', '/enc/big.bin');
    assert.equal(h.headers.get('content-length'), String(SIZE));
    const small = Buffer.from('a small object, read whole in one go\n');
    await f.owner.ok('PUT', '/enc/small.txt', { body: small });
    const smallStored = await stored('small.txt');
    assert.equal(smallStored.where, 'row', 'a small blob is a row of the embedded database');
    const sealed = await smallStored.read();
    assert.equal(sealed.subarray(0, 8).toString('latin1'), 'OPALENC\x01', 'the row holds the encryption header');
    assert.equal(sealed.indexOf(small.subarray(0, 16)), -1);
    assert.equal(await (await f.owner.send('GET', '/enc/small.txt')).text(), small.toString());
  });

  it('answers ranges across chunk boundaries, the last partial chunk and suffix ranges with the right bytes', async () => {
    await checkRanges(f, '/enc/big.bin', data);
  });

  it('derived images are stored encrypted too', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    await f.owner.ok('PUT', '/enc/pic.png', { body: png, headers: { 'content-type': 'image/png' } });
    for (let i = 0; i < 2; i++) {
      const r = await f.owner.send('GET', '/enc/pic.png?thumb=1&w=16&h=16');
      assert.equal(r.status, 200);
      const m = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
      assert.deepEqual([m.width, m.height], [16, 12]);
    }
    const rows = await f.t.ctx.db.kysely.selectFrom('fds_derived').selectAll().execute();
    assert.equal(rows.length, 1);
    const k = rows[0]?.blob_key ?? '';
    const disk = await (await storedBlob(f, k)).read();
    assert.equal(disk.subarray(0, 8).toString('latin1'), 'OPALENC\x01', 'the derived blob has the encryption header');
  });

  it('a flipped byte on disk: an error answer for a small object and for damage in the first chunk', async () => {
    // Not read before: a small object already served is answered from the node's read cache,
    // with the plaintext authenticated when it was read (checked below).
    await f.owner.ok('PUT', '/enc/damaged.txt', { body: 'a small object, damaged before it is read\n' });
    const restore = await flipByte(await stored('damaged.txt'), HEADER_SIZE + 3, 0x20);
    const r = await f.owner.send('GET', '/enc/damaged.txt');
    assert.equal(r.status, 500);
    const body = await r.text();
    assert.match(body, /InternalServerError/);
    assert.ok(!body.includes('small object'), 'no plaintext in the error');
    await restore();
    const restoreRead = await flipByte(await stored('small.txt'), HEADER_SIZE + 3, 0x20);
    assert.equal(await (await f.owner.ok('GET', '/enc/small.txt')).text(), 'a small object, read whole in one go\n');
    await restoreRead();

    await f.owner.ok('PUT', '/enc/first.bin', { body: data });
    await flipByte(await stored('first.bin'), HEADER_SIZE + 1000, 0x01);
    const g = await f.owner.send('GET', '/enc/first.bin');
    assert.equal(g.status, 500, 'the first chunk is checked before the headers go out');
    assert.match(await g.text(), /InternalServerError/);
    const ranged = await f.owner.send('GET', '/enc/first.bin', { headers: { range: `bytes=${CHUNK_SIZE}-${CHUNK_SIZE + 99}` } });
    assert.equal(ranged.status, 206, 'a range that does not touch the damaged chunk still reads');
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(CHUNK_SIZE, CHUNK_SIZE + 100)));
  });

  it('a flipped byte mid-stream: the connection is cut after only the authenticated bytes, never a complete wrong body', async () => {
    const restore = await flipByte(await stored('big.bin'), HEADER_SIZE + 2 * (CHUNK_SIZE + 16) + 777, 0x80); // inside chunk 2
    const date = new Date().toUTCString();
    const creds = f.ownerKey;
    const authorization = authorizationHeader(
      { method: 'GET', path: '/enc/big.bin', query: '', headers: [['date', date]] },
      creds.accessKeyId,
      creds.accessSecret,
    );
    const res = await rawGet(`${f.t.fdsUrl}/enc/big.bin`, { date, authorization });
    assert.equal(res.status, 200);
    assert.equal(res.length, SIZE);
    assert.equal(res.complete, false, 'the response did not end as complete');
    assert.ok(res.body.length <= 2 * CHUNK_SIZE, `only chunks 0 and 1 were sent (${res.body.length} bytes)`);
    assert.ok(res.body.equals(data.subarray(0, res.body.length)), 'every byte sent is the right one');
    await assert.rejects(async () => (await f.owner.send('GET', '/enc/big.bin')).arrayBuffer(), 'fetch sees a failed body');
    await restore();
    const again = await f.owner.send('GET', '/enc/big.bin');
    assert.equal(
      createHash('md5')
        .update(Buffer.from(await again.arrayBuffer()))
        .digest('hex'),
      md5Hex(data),
    );
  });
});

describe('FDS with encryption at rest on S3 blobs (s3rver)', () => {
  let f: FdsFixture;
  let s3: S3rverHandle;
  before(async () => {
    s3 = await startS3rver('fds-enc');
    f = await startFds({
      env: { OPAL_BLOB_URL: s3.url('opal'), OPAL_BLOB_ENCRYPTION_KEY: Buffer.from(KEY, 'hex').toString('base64') },
      buckets: ['s3e'],
    });
  });
  after(async () => {
    await f?.close();
    await s3?.close();
  });

  it('round-trips and answers every range; the stored object is ciphertext of the right size', async () => {
    const data = randomBytes(SIZE);
    await f.owner.ok('PUT', '/s3e/big.bin', { body: data });
    const g = await f.owner.send('GET', '/s3e/big.bin');
    assert.equal(g.headers.get('content-md5'), md5Hex(data));
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(data));
    await checkRanges(f, '/s3e/big.bin', data);
    const row = await f.t.ctx.db.kysely
      .selectFrom('fds_objects')
      .select('blob_key')
      .where('name', '=', 'big.bin')
      .executeTakeFirstOrThrow();
    const raw = new S3BlobStore(parseS3Url(s3.url('opal')));
    const parts: Buffer[] = [];
    for await (const p of await raw.get(row.blob_key)) parts.push(p as Buffer);
    await raw.close();
    const stored = Buffer.concat(parts);
    assert.equal(stored.length, storedSizeOf(SIZE));
    assert.equal(stored.indexOf(data.subarray(0, 32)), -1, 'plaintext is not in the bucket');
  });
});
