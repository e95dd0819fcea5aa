// The WAL sync (src/store/db/wal-sync.ts): a log replaced under its path (SQLite deletes and
// recreates it only after a full checkpoint) is opened and synced too before anyone is told that
// their commits are durable.
import assert from 'node:assert/strict';
import { renameSync, statSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WalSync } from '../../src/store/db/wal-sync.ts';
import { tmpDir } from '../helpers/env.ts';

const dir = tmpDir('opal-wal-sync-');
after(() => dir.remove());

describe('WAL sync', () => {
  it('syncs the file the path names: a replaced log is opened and synced before durable() resolves', async () => {
    const path = join(dir.path, 'db-wal');
    writeFileSync(path, 'first');
    const synced: number[] = [];
    const wal = new WalSync(path, async (fh: FileHandle) => {
      synced.push((await fh.stat()).ino);
      await fh.datasync();
    });
    await wal.durable();
    const first = statSync(path).ino;
    assert.deepEqual(synced, [first]);
    writeFileSync(`${path}.new`, 'second');
    renameSync(`${path}.new`, path);
    const second = statSync(path).ino;
    assert.notEqual(second, first);
    await wal.durable();
    assert.deepEqual(synced, [first, first, second], 'the old descriptor, then the new log');
    await wal.durable();
    assert.deepEqual(synced, [first, first, second, second]);
    await wal.close();
  });
});
