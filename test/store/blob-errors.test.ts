// The filesystem blob store's error and clean-up paths, on real files: bodies that fail (before or
// during the put), paths blocked by files and directories, a full disk and a disk out of inodes
// (small tmpfs mounts, when the tests run as root and may mount), removed directories, the
// bookkeeping of directory syncs and creations, file modes, leftovers in tmp/, list(), check()
// and close().
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BlobStoreFullError } from '../../src/store/blobs/blob-store.ts';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.ts';
import { openUnder, openUnderSettled, tmpDir } from '../helpers/env.ts';

const dir = tmpDir('opal-blob-errors-');
after(() => dir.remove());
let n = 0;
/** A fresh store under the test directory. */
async function fresh(): Promise<{ store: FsBlobStore; root: string }> {
  const root = join(dir.path, `store-${++n}`);
  return { store: await FsBlobStore.open(root), root };
}

/** Files under root/tmp, at any depth. */
function tmpFiles(root: string): string[] {
  return readdirSync(join(root, 'tmp'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
}

async function listAll(store: FsBlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list()) out.push(k);
  return out;
}

const body = (text: string) => Readable.from([Buffer.from(text)]);
/** The uid and gid of `nobody`. */
const NOBODY = 65534;
const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

describe('filesystem blob store: failing bodies', () => {
  it('a body destroyed before the put: rejects once its temp file is closed and removed', async () => {
    const { store, root } = await fresh();
    for (let i = 0; i < 20; i++) {
      const b = new Readable({ read() {} });
      b.destroy(new Error('client gone before the put'));
      await assert.rejects(store.put(`gone-${String(i).padStart(4, '0')}`, b), /client gone before the put/);
      // Nothing still open or left in tmp/ when the put answers (the file was still being opened
      // when the pipeline failed: an unlink before the open left the file behind).
      assert.deepEqual(openUnder(join(root, 'tmp')), [], `put ${i}: no descriptor left on a temp file`);
      assert.deepEqual(tmpFiles(root), [], `put ${i}: no temp file`);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(tmpFiles(root), []);
    await store.close();
  });

  it('a body closed early without an error (the client went away) fails the put and leaves nothing', async () => {
    const { store, root } = await fresh();
    const b = new Readable({ read() {} });
    b.push(randomBytes(1000));
    setTimeout(() => b.destroy(), 20);
    await assert.rejects(store.put('closed-early-1', b), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    assert.equal(await store.size('closed-early-1'), undefined);
    assert.deepEqual(tmpFiles(root), []);
    assert.deepEqual(openUnder(join(root, 'tmp')), []);
    await store.close();
  });

  it('a put leaves no listener on its body, whether it succeeds or fails', async () => {
    const { store } = await fresh();
    const events = ['error', 'close', 'end', 'finish', 'data'] as const;
    const count = (s: Readable) => events.map((e) => s.listenerCount(e));
    const ok = body('listened to');
    const before = count(ok);
    await store.put('listeners-1', ok);
    assert.deepEqual(count(ok), before);
    const failing = new Readable({ read() {} });
    failing.push('x');
    const beforeFailing = count(failing);
    setTimeout(() => failing.destroy(new Error('boom')), 10);
    await assert.rejects(store.put('listeners-2', failing), /boom/);
    assert.deepEqual(count(failing), beforeFailing);
    await store.close();
  });
});

describe('filesystem blob store: blocked and odd paths', () => {
  it('a file where a blob directory belongs: every call fails with that error, not "not found"', async () => {
    const { store, root } = await fresh();
    // Keys blk1… live in root/bl/k1/: make root/bl a plain file.
    writeFileSync(join(root, 'bl'), 'not a directory');
    await assert.rejects(store.get('blk1-0000001'), { code: 'ENOTDIR' });
    await assert.rejects(store.read('blk1-0000001', 0, 1), { code: 'ENOTDIR' });
    await assert.rejects(store.size('blk1-0000001'), { code: 'ENOTDIR' });
    await assert.rejects(store.delete('blk1-0000001'), { code: 'ENOTDIR' });
    // A put writes its temp file, cannot rename it into root/bl/k1/, and removes it again.
    // The rename fails for another reason than a missing directory: that error, no mkdir tried.
    await assert.rejects(
      store.put('blk1-0000001', body('blocked')),
      (e) => code(e) === 'ENOTDIR' && (e as NodeJS.ErrnoException).syscall === 'rename' && !(e instanceof BlobStoreFullError),
    );
    assert.deepEqual(tmpFiles(root), []);
    assert.deepEqual(openUnder(join(root, 'tmp')), []);
    // list() skips what it cannot read as a directory.
    await store.put('okay-0000001', body('fine'));
    assert.deepEqual(await listAll(store), ['okay-0000001']);
    await store.close();
  });

  it('a directory where a blob belongs: read and delete fail, a put fails and cleans up', async () => {
    const { store, root } = await fresh();
    mkdirSync(join(root, 'di', 'r1', 'dir1-0000001'), { recursive: true });
    await assert.rejects(store.read('dir1-0000001', 0, 1), { code: 'EISDIR' });
    await assert.rejects(store.delete('dir1-0000001'), { code: 'EISDIR' });
    await assert.rejects(store.put('dir1-0000001', body('over a directory')), (e) => code(e) === 'EISDIR' || code(e) === 'ENOTEMPTY');
    assert.deepEqual(tmpFiles(root), []);
    assert.deepEqual(openUnder(join(root, 'tmp')), []);
    await store.close();
  });

  it('a dangling symlink where a blob directory belongs: the put fails with the mkdir error', async () => {
    const { store, root } = await fresh();
    symlinkSync(join(dir.path, 'nowhere', 'at-all'), join(root, 'sy'));
    await assert.rejects(store.put('sym1-0000001', body('x')), { code: 'ENOENT', syscall: 'mkdir' });
    assert.deepEqual(tmpFiles(root), []);
    await store.close();
  });

  it('a blob directory removed between puts is made again', async () => {
    const { store, root } = await fresh();
    await store.put('gone-dir-0001', body('one'));
    rmSync(join(root, 'go'), { recursive: true });
    await store.put('gone-dir-0002', body('two'));
    assert.equal(await store.size('gone-dir-0002'), 3);
    rmSync(join(root, 'go', 'ne'), { recursive: true });
    await store.put('gone-dir-0003', body('three'));
    assert.equal(await store.size('gone-dir-0003'), 5);
    await store.close();
  });

  it('deleting a missing blob, in a missing directory or a present one, is fine', async () => {
    const { store } = await fresh();
    await store.delete('none-0000001');
    await store.put('none-0000002', body('x'));
    await store.delete('none-0000001');
    await store.delete('none-0000002');
    await store.delete('none-0000002');
    assert.equal(await store.size('none-0000002'), undefined);
    await store.close();
  });
});

describe('filesystem blob store: bookkeeping', () => {
  it('forgets idle directory syncs and finished directory creations', async () => {
    const { store } = await fresh();
    const internals = store as unknown as { dirSyncs: Map<string, unknown>; creating: Map<string, unknown> };
    // 40 keys over 40 leaf directories under 20 parents, concurrently, then one more round.
    const keys = Array.from({ length: 40 }, (_, i) => `${randomBytes(2).toString('hex')}-${i}-bookkeeping`);
    await Promise.all(keys.map((k) => store.put(k, body(k))));
    assert.equal(internals.dirSyncs.size, 0, 'no directory sync kept after every put resolved');
    assert.equal(internals.creating.size, 0, 'no directory creation kept after every put resolved');
    await Promise.all(keys.map((k) => store.put(k, body(`${k} again`))));
    assert.equal(internals.dirSyncs.size, 0);
    for (const k of keys) assert.equal(await store.size(k), k.length + 6);
    await store.close();
  });

  it('reads release their descriptors, also when they fail', async () => {
    const { store, root } = await fresh();
    await store.put('fds1-0000001', body('0123456789'));
    for (let i = 0; i < 50; i++) {
      assert.equal((await store.read('fds1-0000001', 2, 3)).toString(), '234');
      await assert.rejects(store.read('fds1-0000001', 5, 10), /shorter than 15 bytes/);
    }
    // read() closes without waiting for the close: give the closes a moment.
    assert.deepEqual(await openUnderSettled(root), []);
    await store.close();
  });

  it('creates its directories and files private to the server (0700 and 0600)', async () => {
    const { store, root } = await fresh();
    await store.put('mode-0000001', body('private'));
    const mode = (p: string) => statSync(p).mode & 0o777;
    assert.equal(mode(join(root, 'tmp')), 0o700);
    const [own] = readdirSync(join(root, 'tmp'));
    assert.ok(own);
    assert.equal(mode(join(root, 'tmp', own)), 0o700);
    assert.equal(mode(join(root, 'mo')), 0o700);
    assert.equal(mode(join(root, 'mo', 'de')), 0o700);
    assert.equal(mode(join(root, 'mo', 'de', 'mode-0000001')), 0o600);
    await store.close();
  });

  it('opening clears tmp/ of entries no live process owns, whatever their name', async () => {
    const root = join(dir.path, 'leftovers');
    const tmp = join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const pid = process.pid;
    for (const name of ['junk', `x${pid}.not-a-pid`, `${pid}`, '.hidden', '999999999.dead', '1.init-upload', `${pid}.live-dir`])
      mkdirSync(join(tmp, name));
    writeFileSync(join(tmp, 'stray-file'), 'x');
    writeFileSync(join(tmp, `${pid}.live-file`), 'x');
    const store = await FsBlobStore.open(root);
    const left = readdirSync(tmp).filter((name) => !name.startsWith(`${pid}.`) || name.endsWith('live-dir') || name.endsWith('live-file'));
    // pid 1 (init) runs: its entry is another live process's upload and stays.
    assert.deepEqual(left.sort(), ['1.init-upload', `${pid}.live-dir`, `${pid}.live-file`]);
    await store.close();
  });

  it('opening as another user keeps the uploads of a live process it may not signal (EPERM)', {
    skip: process.getuid?.() !== 0 && 'needs root (the store runs as nobody, this process as root)',
  }, async () => {
    const base = join(dir.path, 'as-nobody');
    mkdirSync(base, { mode: 0o755 });
    chmodSync(dir.path, 0o755);
    const root = join(base, 'blobs');
    mkdirSync(join(root, 'tmp', `${process.pid}.root-upload`), { recursive: true });
    mkdirSync(join(root, 'tmp', '999999999.dead-upload'));
    for (const p of [root, join(root, 'tmp'), join(root, 'tmp', `${process.pid}.root-upload`), join(root, 'tmp', '999999999.dead-upload')])
      chownSync(p, NOBODY, NOBODY);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../fixtures/blob-open-as.ts'), root, String(NOBODY)],
      { cwd: join(import.meta.dirname, '../..') },
    );
    // This process runs (as root): kill(pid, 0) from nobody answers EPERM, not ESRCH.
    assert.deepEqual(JSON.parse(stdout), [`${process.pid}.root-upload`]);
  });

  it('check() fails once the store directory is gone; close() may be called twice', async () => {
    const { store, root } = await fresh();
    await store.check();
    rmSync(join(root, 'tmp'), { recursive: true });
    await assert.rejects(store.check(), { code: 'ENOENT' });
    await store.close();
    await store.close();
  });
});

describe('filesystem blob store: list()', () => {
  it('yields exactly the blob keys, skipping tmp/ and anything not shaped like a blob path', async () => {
    const { store, root } = await fresh();
    const keys = ['abcd1234', 'abcd-0000001', 'abcd-0000002', 'abce-0000001', 'zz_-0000001', `wxyz${'k'.repeat(124)}`];
    for (const k of keys) await store.put(k, body(k));
    // Junk that passes every check but one (each would be listed if that check were missing).
    const junk = (...p: string[]) => {
      mkdirSync(join(root, ...p.slice(0, -1)), { recursive: true });
      writeFileSync(join(root, ...p), 'junk');
    };
    junk('abc', 'de', 'abcde-000001'); // a first level of three characters
    junk('a', 'bc', 'abc-0000001'); // of one
    junk('a.', 'bc', 'a.bc-0000001'); // with a character outside the key alphabet
    junk('ab', 'cde', 'abcde-000001'); // a second level of three characters
    junk('ab', 'c', 'abc-00000001'); // of one
    junk('ab', 'c.', 'abc.-0000001'); // with a character outside the key alphabet
    junk('ab', 'cd', 'abcd001'); // a key of seven characters
    junk('ab', 'cd', `abcd${'k'.repeat(125)}`); // of 129
    junk('ab', 'cd', 'abcd-000.tmp'); // with a character outside the key alphabet
    junk('ab', 'cd', 'xbcd-0000001'); // in the wrong directory
    junk('ab', 'cd', 'abxd-0000001'); // in the wrong directory
    junk('ab', 'cd', 'xxabcd-00001'); // the prefix not at the start
    writeFileSync(join(root, 'zy'), 'a file where a directory could be');
    // tmp/ holds a directory named like a key prefix, with a key-shaped file.
    mkdirSync(join(root, 'tmp', 'tm'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'tm', 'tmtm-0000001'), 'x');
    const listed = (await listAll(store)).sort();
    assert.deepEqual(listed, [...keys].sort());
    await store.close();
  });

  it('lists nothing in a new store', async () => {
    const { store } = await fresh();
    assert.deepEqual(await listAll(store), []);
    await store.close();
  });
});

// Real "no space" conditions on small tmpfs mounts, as in the disk-full drill: scripts/test.mjs
// sets OPAL_TEST_MOUNT=1 when it finds it can mount a tmpfs (root; OPAL_TEST_MOUNT=off turns it off).
const MOUNT = process.env.OPAL_TEST_MOUNT === '1';

describe('filesystem blob store: no space', { skip: MOUNT ? false : 'needs OPAL_TEST_MOUNT=1 (root, tmpfs mounts)' }, () => {
  /** A store on a fresh tmpfs with the given options; `done` unmounts it. */
  async function onTmpfs(options: string) {
    const root = join(dir.path, `tmpfs-${++n}`);
    mkdirSync(root);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', root]);
    const store = await FsBlobStore.open(root);
    return {
      store,
      root,
      async done() {
        await store.close();
        execFileSync('umount', [root]);
      },
    };
  }

  it('a put that does not fit: BlobStoreFullError, no temp file, the space given back', async () => {
    const t = await onTmpfs('size=256k');
    try {
      await t.store.put('full-0000001', body('small, fits'));
      await assert.rejects(
        t.store.put('full-0000002', Readable.from([randomBytes(200_000), randomBytes(200_000)])),
        (e) => e instanceof BlobStoreFullError && code((e as Error).cause) === 'ENOSPC',
      );
      assert.equal(await t.store.size('full-0000002'), undefined);
      assert.deepEqual(tmpFiles(t.root), []);
      // The space is free again: nearly all of it fits now.
      const r = await t.store.put('full-0000003', Readable.from([randomBytes(150_000)]));
      assert.equal(r.size, 150_000);
    } finally {
      await t.done();
    }
  });

  it('no inode left for the blob directory: BlobStoreFullError, no temp file', async () => {
    // The root, tmp/ and the store's own tmp/ directory use three of four inodes: the temp file
    // takes the last, and making root/in/od fails.
    const t = await onTmpfs('size=1m,nr_inodes=4');
    try {
      await assert.rejects(
        t.store.put('inod-0000001', body('no room for my directory')),
        (e) => e instanceof BlobStoreFullError && code((e as Error).cause) === 'ENOSPC',
      );
      assert.equal(await t.store.size('inod-0000001'), undefined);
      assert.deepEqual(tmpFiles(t.root), []);
    } finally {
      await t.done();
    }
  });
});
