// Filesystem blob writes share their directory syncs: concurrent puts into one directory are
// covered by a few fsyncs of it, not one each, and every put still resolves with its bytes in
// place; puts into different directories do not wait for each other's syncs.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { tmpDir } from '../helpers/env.ts';

const dir = tmpDir('opal-blob-sync-');
after(() => dir.remove());

async function md5Of(r: Readable): Promise<string> {
  const h = createHash('md5');
  for await (const c of r) h.update(c as Buffer);
  return h.digest('hex');
}

describe('filesystem blob directory syncs', () => {
  it('100 concurrent puts into one directory share a few directory syncs', async () => {
    const store = await FsBlobStore.open(`${dir.path}/one`);
    const bodies = Array.from({ length: 100 }, () => randomBytes(4096));
    // Keys with the same first four characters land in one directory (root/ab/cd/).
    const keys = bodies.map((_, i) => `abcd-${String(i).padStart(4, '0')}-${randomBytes(6).toString('hex')}`);
    const before = store.dirSyncCount;
    const results = await Promise.all(keys.map((k, i) => store.put(k, Readable.from([bodies[i] as Buffer]))));
    const syncs = store.dirSyncCount - before;
    // Creating the directory syncs the two above it once; the leaf is synced in a few batches.
    assert.ok(syncs >= 3 && syncs <= 20, `100 puts took ${syncs} directory syncs`);
    for (const [i, k] of keys.entries()) {
      const expected = createHash('md5')
        .update(bodies[i] as Buffer)
        .digest('hex');
      assert.equal(results[i]?.md5, expected);
      assert.equal(await md5Of(await store.get(k)), expected);
    }
    await store.close();
  });

  it('syncs a new directory in its parent, and only what changed', async () => {
    const store = await FsBlobStore.open(`${dir.path}/two`);
    let before = store.dirSyncCount;
    await store.put('efgh-first-000', Readable.from([Buffer.from('first')]));
    assert.equal(store.dirSyncCount - before, 3, 'root (for ef), ef (for gh), ef/gh (for the blob)');
    before = store.dirSyncCount;
    await store.put('efij-second-00', Readable.from([Buffer.from('second')]));
    assert.equal(store.dirSyncCount - before, 2, 'ef (for ij), ef/ij (for the blob)');
    before = store.dirSyncCount;
    await store.put('efij-third-000', Readable.from([Buffer.from('third')]));
    assert.equal(store.dirSyncCount - before, 1, 'ef/ij (for the blob)');
    await store.close();
  });
});
