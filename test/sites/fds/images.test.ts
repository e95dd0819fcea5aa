// Image processing over real HTTP (fds-protocol §5.13) with real images made by sharp here (PNG,
// JPEG, GIF, WebP), every answer decoded to check its format and dimensions: thumbnails fit
// inside w×h without upscaling, WebP conversion, the first frame of an animated GIF, bucket
// defaults (`webpQuality`, `gifType`), crop as a new version; the derived cache (a hit the second
// time, a fresh result after an overwrite and the old entry collected, the total size bounded);
// ACLs, presigned URLs with Android's unsigned `thumb=1&w=&h=` and server-signed URLs as for the
// original; non-images and a 100-megapixel header refused without decoding.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { dbBackends } from '../../helpers/env.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';

const B = 'pics';
const CACHE_BYTES = 60_000;

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });

async function decode(r: Response): Promise<{ format: string | undefined; width: number; height: number; pages: number; body: Buffer }> {
  const text = r.status === 200 ? '' : await r.clone().text();
  assert.equal(r.status, 200, text);
  const body = Buffer.from(await r.arrayBuffer());
  assert.equal(Number(r.headers.get('content-length')), body.length);
  const m = await sharp(body).metadata();
  assert.equal(r.headers.get('content-type'), `image/${m.format}`);
  return { format: m.format, width: m.width ?? 0, height: m.height ?? 0, pages: m.pages ?? 1, body };
}

/** A PNG whose header claims width × height, followed by a little real image data (never decoded in full). */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const backend of dbBackends()) {
  describe(`FDS image processing (§5.13, ${backend})`, () => {
    let f: FdsFixture;
    let token: string;

    const derivedRows = () => f.t.ctx.db.kysely.selectFrom('fds_derived').selectAll().execute();

    before(async () => {
      f = await startFds({ backend, env: { OPAL_FDS_IMAGE_CACHE_BYTES: String(CACHE_BYTES) } });
      token = await ssoWritableBucket(f, B, 'picuser', 'P');
      const put = (name: string, data: Buffer, type: string) =>
        f.owner.ok('PUT', `/${B}/${name}`, { body: data, headers: { 'content-type': type } });
      await put('a.png', await solid(400, 300, [200, 10, 10]).png().toBuffer(), 'image/png');
      await put('b.jpg', await solid(1200, 800, [10, 200, 10]).jpeg().toBuffer(), 'image/jpeg');
      await put('c.webp', await solid(300, 300, [10, 10, 200]).webp().toBuffer(), 'image/webp');
      const red = await solid(64, 48, [255, 0, 0]).png().toBuffer();
      const blue = await solid(64, 48, [0, 0, 255]).png().toBuffer();
      await put(
        'd.gif',
        await sharp([red, blue], { join: { animated: true } })
          .gif()
          .toBuffer(),
        'image/gif',
      );
      const noise = await sharp(randomBytes(120 * 90 * 3), { raw: { width: 120, height: 90, channels: 3 } })
        .png()
        .toBuffer();
      await put('noise.png', noise, 'image/png');
      await put('notes.txt', Buffer.from('not an image at all'), 'text/plain');
    });
    after(() => f.close());

    it('thumbnails fit inside w×h, keep the aspect ratio, keep the format, never upscale', async () => {
      const t = await decode(await f.owner.send('GET', `/${B}/b.jpg?thumb=1&w=256&h=256`));
      assert.deepEqual([t.format, t.width, t.height], ['jpeg', 256, 171]);
      const p = await decode(await f.owner.send('GET', `/${B}/a.png?thumb=1&w=100&h=100`));
      assert.deepEqual([p.format, p.width, p.height], ['png', 100, 75]);
      const big = await decode(await f.owner.send('GET', `/${B}/a.png?thumb=1&w=2000&h=2000`));
      assert.deepEqual([big.width, big.height], [400, 300]);
      const w = await decode(await f.owner.send('GET', `/${B}/c.webp?thumb=1&w=50&h=80`));
      assert.deepEqual([w.format, w.width, w.height], ['webp', 50, 50]);
      // Ranges are not applied to processed images.
      const ranged = await f.owner.send('GET', `/${B}/a.png?thumb=1&w=10&h=10`, { headers: { range: 'bytes=0-3' } });
      assert.equal(ranged.status, 200);
      await ranged.arrayBuffer();
    });

    it('f=webp (q, bucket webpQuality) and gf (first frame, bucket gifType)', async () => {
      const webp = await decode(await f.owner.send('GET', `/${B}/b.jpg?f=webp&q=50`));
      assert.deepEqual([webp.format, webp.width, webp.height], ['webp', 1200, 800]);
      await f.owner.ok('PUT', `/${B}?webpQuality=5`);
      const low = await decode(await f.owner.send('GET', `/${B}/noise.png?f=webp`));
      const high = await decode(await f.owner.send('GET', `/${B}/noise.png?f=webp&q=100`));
      assert.equal(low.format, 'webp');
      assert.ok(low.body.length < high.body.length, `${low.body.length} < ${high.body.length}`);

      const src = await sharp((await (await f.owner.ok('GET', `/${B}/d.gif`)).arrayBuffer()) as ArrayBuffer).metadata();
      assert.equal(src.pages, 2);
      const frame = await decode(await f.owner.send('GET', `/${B}/d.gif?gf=image/png`));
      assert.deepEqual([frame.format, frame.width, frame.height, frame.pages], ['png', 64, 48, 1]);
      const { data } = await sharp(frame.body).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([...data.subarray(0, 3)], [255, 0, 0], 'the first (red) frame');
      assert.equal((await decode(await f.owner.send('GET', `/${B}/d.gif?gf=`))).format, 'jpeg');
      await f.owner.ok('PUT', `/${B}?gifType=image/webp`);
      assert.equal((await decode(await f.owner.send('GET', `/${B}/d.gif?gf=true`))).format, 'webp');
      assert.equal((await f.owner.send('GET', `/${B}/a.png?gf=image/png`)).status, 400, 'gf of a PNG');
      assert.equal((await f.owner.send('GET', `/${B}/d.gif?gf=image/bmp`)).status, 400);
    });

    it('cached as derived blobs: a hit the second time, fresh after an overwrite, the old entry collected', async () => {
      const first = await f.owner.send('GET', `/${B}/c.webp?thumb=1&w=40&h=40`);
      assert.equal(first.headers.get('x-opal-derived'), 'miss');
      const a = await decode(first);
      const second = await f.owner.send('GET', `/${B}/c.webp?thumb=1&w=40&h=40`);
      assert.equal(second.headers.get('x-opal-derived'), 'hit');
      assert.deepEqual((await decode(second)).body, a.body);
      const old = (await derivedRows()).find((r) => r.params === 'thumb:w=40,h=40');
      assert.ok(old);

      await f.owner.ok('PUT', `/${B}/c.webp`, {
        body: await solid(90, 30, [1, 2, 3]).webp().toBuffer(),
        headers: { 'content-type': 'image/webp' },
      });
      const after = await f.owner.send('GET', `/${B}/c.webp?thumb=1&w=40&h=40`);
      assert.equal(after.headers.get('x-opal-derived'), 'miss');
      const n = await decode(after);
      assert.deepEqual([n.width, n.height], [40, 13]);
      await f.t.ctx.services.fdsSweeper.runOnce();
      const rows = await derivedRows();
      assert.equal(
        rows.find((r) => r.source_version_id === old.source_version_id),
        undefined,
        'the old entry is collected',
      );
      await assert.rejects(f.t.ctx.blobs.get(old.blob_key), 'its blob is freed');
      // Bounded: many different thumbnails never hold more than the configured total.
      for (let w = 300; w < 1200; w += 100) await decode(await f.owner.send('GET', `/${B}/b.jpg?thumb=1&w=${w}&h=${w}`));
      const total = (await derivedRows()).reduce((s, r) => s + Number(r.size), 0);
      assert.ok(total <= CACHE_BYTES, `${total} <= ${CACHE_BYTES}`);
    });

    it('ACLs, presigned URLs (with Android unsigned thumb params) and server-signed URLs apply as to the original', async () => {
      assert.equal((await f.other.send('GET', `/${B}/a.png?thumb=1&w=10&h=10`)).status, 403);
      assert.equal((await f.anon.send('GET', `/${B}/a.png?f=webp`)).status, 403);
      const url = f.owner.presign({ bucket: B, object: 'b.jpg', expires: Date.now() + 60_000 });
      const t = await decode(await fetch(`${url}&thumb=1&w=64&h=64`));
      assert.deepEqual([t.width, t.height], [64, 43]);
      // An app user's put result: its server-signed URL reads thumbnails of that version too.
      const png = await solid(80, 80, [9, 9, 9]).png().toBuffer();
      const put = await fetch(`${f.t.fdsUrl}/${B}/mine.png?serviceToken=${token}`, {
        method: 'PUT',
        headers: { authorization: 'SSO', 'content-type': 'image/png' },
        body: png,
      });
      const r = (await put.json()) as { accessKeyId: string; expires: number; signature: string };
      const signed = `${f.t.fdsUrl}/${B}/mine.png?GalaxyAccessKeyId=${r.accessKeyId}&Expires=${r.expires}&Signature=${r.signature}`;
      const st = await decode(await fetch(`${signed}&thumb=1&w=20&h=20`));
      assert.deepEqual([st.width, st.height], [20, 20]);
      // The app user cannot thumbnail the owner's objects.
      assert.equal(
        (await fetch(`${f.t.fdsUrl}/${B}/a.png?thumb=1&w=5&h=5&serviceToken=${token}`, { headers: { authorization: 'SSO' } })).status,
        403,
      );
    });

    it('non-images, bad parameters and a 100-megapixel image are 400 in the FDS shape', async () => {
      for (const q of ['thumb=1&w=10&h=10', 'f=webp', 'gf=image/png']) {
        const r = await f.owner.send('GET', `/${B}/notes.txt?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(((await r.json()) as { error: string }).error, 'InvalidRequest');
      }
      for (const q of ['thumb=1', 'thumb=1&w=0&h=5', 'thumb=1&w=abc', 'f=webp&q=101']) {
        assert.equal((await f.owner.send('GET', `/${B}/a.png?${q}`)).status, 400, q);
      }
      await f.owner.ok('PUT', `/${B}/bomb.png`, { body: pngHeader(10_000, 10_000), headers: { 'content-type': 'image/png' } });
      const rss = process.memoryUsage().rss;
      const bomb = await f.owner.send('GET', `/${B}/bomb.png?thumb=1&w=100&h=100`);
      assert.equal(bomb.status, 400);
      assert.match(await bomb.text(), /pixels/);
      // Decoding 10000×10000 RGB would take 300 MB; the header alone was read.
      assert.ok(process.memoryUsage().rss - rss < 100 * 1024 * 1024);
      assert.equal((await f.owner.send('GET', `/${B}/a.png?thumb=1&w=10&h=10`)).status, 200);
      assert.equal((await f.owner.send('GET', `/${B}/missing.png?thumb=1&w=10&h=10`)).status, 404);
    });

    it('cropImage writes the cropped image as a new version', async () => {
      const r = await f.owner.send('PUT', `/${B}/a.png?cropImage&x=10&y=20&w=50&h=40`, { body: '""' });
      assert.equal(r.status, 200, await r.clone().text());
      const c = await decode(await f.owner.send('GET', `/${B}/a.png`));
      assert.deepEqual([c.format, c.width, c.height], ['png', 50, 40]);
      assert.equal((await f.owner.json<string[]>('GET', `/${B}/a.png?versionIds`)).length, 1);
      assert.equal((await f.owner.send('PUT', `/${B}/a.png?cropImage=true&x=40&y=0&w=50&h=10`)).status, 400, 'outside the image');
      assert.equal((await f.other.send('PUT', `/${B}/a.png?cropImage=true&x=0&y=0&w=5&h=5`)).status, 403);
      assert.equal((await f.owner.send('PUT', `/${B}/notes.txt?cropImage=true&x=0&y=0&w=5&h=5`)).status, 400);
    });
  });
}
