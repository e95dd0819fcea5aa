// Filesystem blobs: written to a temporary file, fsynced, renamed into place, and the directory
// fsynced, so a crash never leaves a visible partial blob. Layout: root/ab/cd/<key>; temporary
// files in root/tmp/<pid>.<random>/, one directory per open store. Opening a store removes the
// temporary directories of processes that no longer run (their files were never acknowledged)
// and leaves those of live processes alone: `opal serve --only account` and `--only fds` may
// share one data directory.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newCredential } from '../../lib/random.ts';
import { assertBlobKey, BlobNotFoundError, type BlobStore, type ByteRange, type PutResult } from './blob-store.ts';
import { CountingHash } from './counting-hash.ts';

async function fsyncPath(path: string, flags = 'r'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;

  private constructor(private readonly root: string) {
    this.tmpDir = join(root, 'tmp', `${process.pid}.${newCredential(20)}`);
  }

  static async open(root: string): Promise<FsBlobStore> {
    const s = new FsBlobStore(root);
    const tmpRoot = join(root, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    for (const name of await readdir(tmpRoot)) {
      const pid = /^(\d+)\./.exec(name)?.[1];
      if (!pid || !processRuns(Number(pid))) await rm(join(tmpRoot, name), { recursive: true, force: true });
    }
    await mkdir(s.tmpDir);
    return s;
  }

  private pathOf(key: string): { dir: string; file: string } {
    assertBlobKey(key);
    const dir = join(this.root, key.slice(0, 2), key.slice(2, 4));
    return { dir, file: join(dir, key) };
  }

  async put(key: string, body: Readable): Promise<PutResult> {
    const { dir, file } = this.pathOf(key);
    const tmp = join(this.tmpDir, `${key}.${newCredential(20)}`);
    const counter = new CountingHash();
    try {
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx' }));
      // fsync flushes the file (not just one descriptor), so a fresh descriptor will do.
      await fsyncPath(tmp);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    try {
      await mkdir(dir, { recursive: true });
      await rename(tmp, file);
      await fsyncPath(dir);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return counter.result();
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const { file } = this.pathOf(key);
    // Open first: once open, the bytes stay readable even if the blob is deleted meanwhile.
    const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new BlobNotFoundError(key) : e;
    });
    return createReadStream('', { fd: fh, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async size(key: string): Promise<number | undefined> {
    const { file } = this.pathOf(key);
    try {
      return (await stat(file)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const { file } = this.pathOf(key);
    await unlink(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async check(): Promise<void> {
    await stat(this.tmpDir);
  }

  async close(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}
