// New blob keys (services/fds/ids.ts): 256 directory prefixes, the rest random.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newBlobKey } from '../../../src/services/fds/ids.ts';
import { assertBlobKey } from '../../../src/store/blobs/blob-store.ts';

describe('newBlobKey', () => {
  it('spreads keys over the 256 directories 00/00 to 0f/0f and no others', () => {
    const keys = Array.from({ length: 20_000 }, () => newBlobKey());
    const dirs = new Set(keys.map((k) => `${k.slice(0, 2)}/${k.slice(2, 4)}`));
    assert.equal(dirs.size, 256);
    for (const d of dirs) assert.match(d, /^0[0-9a-f]\/0[0-9a-f]$/);
    for (const k of keys.slice(0, 100)) assertBlobKey(k);
  });

  it('is unique and random past the prefix', () => {
    const keys = Array.from({ length: 20_000 }, () => newBlobKey());
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(new Set(keys.map((k) => k.slice(4, 8))).size > 19_000, true);
  });
});
