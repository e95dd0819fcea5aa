// GETs of objects over 64 KiB, sent from the filesystem store through reused buffers
// (FsBlobStore.openForSend): whole and ranged bodies are exact, and clients that leave mid-body
// leave no descriptor open.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openUnderSettled } from '../../helpers/env.ts';
import { type FdsFixture, md5Hex, startFds } from '../../helpers/fds-fixture.ts';

describe('FDS GET of large objects', () => {
  let f: FdsFixture;
  const data = randomBytes(600 * 1024 + 17);
  before(async () => {
    f = await startFds({ buckets: ['large'] });
    await f.owner.ok('PUT', '/large/blob.bin', { body: data });
  });
  after(() => f.close());

  it('sends the whole body and ranges of it byte for byte', async () => {
    const whole = await f.owner.ok('GET', '/large/blob.bin');
    assert.equal(whole.headers.get('content-length'), String(data.length));
    const got = Buffer.from(await whole.arrayBuffer());
    assert.equal(md5Hex(got), md5Hex(data));
    const part = await f.owner.send('GET', '/large/blob.bin', { headers: { range: 'bytes=100000-400000' } });
    assert.equal(part.status, 206);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(100000, 400001)));
  });

  it('clients that leave mid-body leave no descriptor open', async () => {
    const blobs = join(f.t.config.dataDir, 'blobs');
    assert.deepEqual(await openUnderSettled(blobs), []);
    const url = new URL(f.owner.presign({ bucket: 'large', object: 'blob.bin', expires: Date.now() + 600_000 }));
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(url, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
        req.setTimeout(5000, () => reject(new Error('no body')));
        req.end();
      });
    }
    assert.deepEqual(await openUnderSettled(blobs), [], 'blob files still open');
  });
});
