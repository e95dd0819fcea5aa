import { close, createReadStream, open as openFd, read as readFd } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newCredential } from '../../lib/random.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../data-dir.ts';
import { GroupSync } from '../group-sync.ts';
import {
  assertBlobKey,
  BlobNotFoundError,
  type BlobSender,
  type BlobStore,
  BlobStoreFullError,
  type ByteRange,
  type Connection,
  isNoSpace,
  type PutResult,
} from './blob-store.ts';
import { CountingHash } from './counting-hash.ts';
import { dropPieceBuffer, givePieceBuffer, takePieceBuffer } from './piece-buffers.ts';
import { PooledFileWriter } from './pooled-file-writer.ts';

/** Opens `file` for reading on a plain descriptor; an absent file is BlobNotFoundError. */
function openToRead(file: string, key: string): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    openFd(file, 'r', (e, fd) => (e ? reject(e.code === 'ENOENT' ? new BlobNotFoundError(key) : e) : resolve(fd))),
  );
}

/** Reads up to `length` bytes at `position` into the start of `buf`; resolves with the count. */
function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise<number>((resolve, reject) => readFd(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

/**
 * Writes one piece and resolves once it has gone out (its bytes are no longer referenced). Also
 * settles when `out`, or the connection it writes to, closes first: Node drops a write's callback
 * when the answer's socket is already gone, and an HTTP answer queued behind another on the same
 * connection (pipelining) never closes at all when the client leaves; only its connection does.
 */
export function writeOut(out: Writable, chunk: Buffer, connection?: Connection): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const closed = () => {
      out.off('close', closed);
      connection?.off('close', closed);
      reject(Object.assign(new Error('the destination closed mid-body'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    if (out.destroyed || connection?.destroyed) return closed();
    out.once('close', closed);
    connection?.once('close', closed);
    out.write(chunk, (e) => {
      out.off('close', closed);
      connection?.off('close', closed);
      if (e) reject(e);
      else resolve();
    });
  });
}

/** Where the filesystem store keeps `key` under `root`: root/ab/cd/KEY. */
export function blobFilePath(root: string, key: string): string {
  return join(root, key.slice(0, 2), key.slice(2, 4), key);
}

/** Syncs a file or directory to disk. */
export async function fsyncPath(path: string, flags = 'r'): Promise<void> {
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
  /** Directory syncs with callers waiting, by path (entries leave when idle). */
  private readonly dirSyncs = new Map<string, GroupSync>();
  /** Directories being created, until their entries are durable. */
  private readonly creating = new Map<string, { made: Promise<void>; durable: Promise<void> }>();
  /** Directory syncs started after open (tests observe the coalescing through it). */
  dirSyncCount = 0;

  private constructor(private readonly root: string) {
    this.tmpDir = join(root, 'tmp', `${process.pid}.${newCredential(21)}`);
  }

  static async open(root: string): Promise<FsBlobStore> {
    const s = new FsBlobStore(root);
    const tmpRoot = join(root, 'tmp');
    await mkdir(tmpRoot, { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const name of await readdir(tmpRoot)) {
      const pid = /^(\d+)\./.exec(name)?.[1];
      if (!pid || !processRuns(Number(pid))) await rm(join(tmpRoot, name), { recursive: true, force: true });
    }
    await mkdir(s.tmpDir, { mode: PRIVATE_DIR_MODE });
    // The root's own entry (it may have just been created).
    await Promise.all([fsyncPath(dirname(root)), fsyncPath(root)]);
    return s;
  }

  /** Syncs `dir`, sharing the sync with concurrent callers (it covers what they renamed before). */
  private syncDir(dir: string): Promise<void> {
    let g = this.dirSyncs.get(dir);
    if (!g) {
      const created = new GroupSync(
        () => {
          this.dirSyncCount++;
          return fsyncPath(dir);
        },
        () => {
          if (this.dirSyncs.get(dir) === created) this.dirSyncs.delete(dir);
        },
      );
      this.dirSyncs.set(dir, created);
      g = created;
    }
    return g.sync();
  }

  /**
   * Creates `path` (its parent exists) unless it exists; `durable` resolves once its entry in the
   * parent is synced. Concurrent callers share one creation, so nobody relies on a directory
   * another call made before that call has synced it.
   */
  private createDir(path: string): { made: Promise<void>; durable: Promise<void> } {
    let c = this.creating.get(path);
    if (!c) {
      const isNew = mkdir(path, { mode: PRIVATE_DIR_MODE }).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'EEXIST') return false;
          throw e;
        },
      );
      const created = {
        made: isNew.then(() => undefined),
        durable: isNew.then((n) => (n ? this.syncDir(dirname(path)) : undefined)),
      };
      created.durable
        .finally(() => {
          if (this.creating.get(path) === created) this.creating.delete(path);
        })
        .catch(() => undefined);
      this.creating.set(path, created);
      c = created;
    }
    return c;
  }

  /** Renames `tmp` to `file` in `dir` (created with its parent if missing) and syncs the names. */
  private async moveIntoPlace(tmp: string, dir: string, file: string): Promise<void> {
    try {
      await rename(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // First blob in root/ab/cd: create what is missing; the new entries are synced in their
      // parents alongside the blob's own entry.
      const parent = this.createDir(dirname(dir));
      await parent.made;
      const leaf = this.createDir(dir);
      await leaf.made;
      await rename(tmp, file);
      await Promise.all([parent.durable, leaf.durable, this.syncDir(dir)]);
      return;
    }
    await this.syncDir(dir);
  }

  private pathOf(key: string): { dir: string; file: string } {
    assertBlobKey(key);
    const file = blobFilePath(this.root, key);
    return { dir: dirname(file), file };
  }

  async put(key: string, body: Readable): Promise<PutResult> {
    const { dir, file } = this.pathOf(key);
    const tmp = join(this.tmpDir, `${key}.${newCredential(21)}`);
    const counter = new CountingHash();
    // The body is piped, not part of the pipeline: a failing write (a full disk) must not destroy
    // the request it comes from, so that the client still gets the answer.
    // An error or a premature close of the body (the client went away) fails the put.
    const stopWatching = finished(body, (e) => {
      if (e) counter.destroy(e);
    });
    body.pipe(counter);
    // The writer fsyncs the file before it finishes, and the pipeline ends after that.
    const out = new PooledFileWriter(tmp, PRIVATE_FILE_MODE);
    try {
      await pipeline(counter, out);
      await this.moveIntoPlace(tmp, dir, file);
    } catch (e) {
      body.unpipe(counter);
      // A body that failed before the file was open (one destroyed before the put) fails the
      // pipeline while the open is still under way: remove the file only once the stream is closed.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await unlink(tmp).catch(() => undefined);
      throw isNoSpace(e) ? new BlobStoreFullError(e) : e;
    } finally {
      stopWatching();
    }
    return counter.result();
  }

  async get(key: string, range?: ByteRange, options?: { readSize?: number }): Promise<Readable> {
    const { file } = this.pathOf(key);
    // Open first: once open, the bytes stay readable even if the blob is deleted meanwhile.
    const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new BlobNotFoundError(key) : e;
    });
    return createReadStream('', {
      fd: fh,
      ...(range ? { start: range.start, end: range.end } : {}),
      ...(options?.readSize ? { highWaterMark: options.readSize } : {}),
    });
  }

  /**
   * One open, one read, one close on plain descriptors (the callback API: no FileHandle and no
   * stream to set up), for the small GETs that are most of an object store's requests.
   */
  async read(key: string, start: number, length: number): Promise<Buffer> {
    const fd = await openToRead(this.pathOf(key).file, key);
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = await readAt(fd, buf, got, length - got, start + got);
        if (n === 0) throw new Error(`blob ${key} is shorter than ${start + length} bytes`);
        got += n;
      }
      return buf;
    } finally {
      close(fd, () => undefined);
    }
  }

  /**
   * Large bodies: one buffer of the shared pool (piece-buffers.ts) per answer, each piece read into
   * it, written, and waited for before the next is read into the same buffer.
   */
  async openForSend(key: string, range: ByteRange): Promise<BlobSender> {
    const fd = await openToRead(this.pathOf(key).file, key);
    let open = true;
    const closeFd = () => {
      if (open) close(fd, () => undefined);
      open = false;
    };
    return {
      close: closeFd,
      sendTo: async (out, connection) => {
        const buf = takePieceBuffer();
        let done = false;
        try {
          for (let pos = range.start; pos <= range.end; ) {
            const n = await readAt(fd, buf, 0, Math.min(buf.length, range.end - pos + 1), pos);
            if (n === 0) throw new Error(`blob ${key} is shorter than ${range.end + 1} bytes`);
            await writeOut(out, buf.subarray(0, n), connection);
            pos += n;
          }
          done = true;
          out.end();
        } finally {
          closeFd();
          // After a failure (a failed read or write, the client gone) the buffer is dropped, not
          // reused: nothing says when the connection's code lets go of it.
          if (done) givePieceBuffer(buf);
          else dropPieceBuffer();
        }
      },
    };
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

  /** Walks root/ab/cd/KEY (tmp/ and anything not shaped like a blob path is skipped). */
  async *list(): AsyncIterable<string> {
    const names = async (dir: string) => readdir(dir).catch(() => [] as string[]);
    for (const a of await names(this.root)) {
      if (!/^[A-Za-z0-9_-]{2}$/.test(a)) continue;
      for (const b of await names(join(this.root, a))) {
        if (!/^[A-Za-z0-9_-]{2}$/.test(b)) continue;
        for (const key of await names(join(this.root, a, b))) {
          if (key.startsWith(a + b) && /^[A-Za-z0-9_-]{8,128}$/.test(key)) yield key;
        }
      }
    }
  }

  async check(): Promise<void> {
    await stat(this.tmpDir);
  }

  async close(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}
