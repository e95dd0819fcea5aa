// Makes SQLite commits durable off the event loop: the connection runs with synchronous=NORMAL in
// WAL mode, so a COMMIT only write()s its frames to the `-wal` file; this module then fdatasyncs
// that file on libuv's threadpool, one sync in flight, every commit finished before a sync started
// covered by it (group commit). Why that is as durable as synchronous=FULL is in docs/storage.md
// ("Why the sync of the log is enough"); in short:
// - SQLite appends a commit's frames to the WAL and never overwrites committed frames in place
//   until a checkpoint has copied them into the database file *and* synced it (a checkpoint syncs
//   the WAL before copying and the database after: SQLite's own in every synchronous mode but
//   OFF, ours in wal-checkpointer.ts explicitly);
// - with synchronous=FULL on Linux SQLite does exactly this write followed by one sync of the WAL
//   (no sector padding: unix files are powersafe-overwrite by default), so a sync of the same file
//   by another descriptor after the write() returned gives the same guarantee;
// - the WAL header SQLite rewrites when it restarts the log is synced by SQLite itself;
// - fdatasync covers the appended size (metadata needed to read the data back).
// The `-wal` file is opened lazily (it exists once the first write committed) and checked with
// every sync, alongside it on the threadpool: if the path names another inode (the log was
// deleted and created anew, which SQLite does only after a full checkpoint), the new file is
// opened and synced too before anyone is told.
// A failed sync poisons the store: after an fsync error Linux may have dropped the dirty pages, so
// no later commit can be acknowledged as durable; every later write fails until a restart.
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { GroupSync } from '../group-sync.ts';

export type DataSync = (fh: FileHandle) => Promise<void>;

/** fdatasync(2) of the file, on the threadpool. */
export const fileDataSync: DataSync = (fh) => fh.datasync();

export class WalSync {
  private fh: FileHandle | undefined;
  private ino = 0;
  private dev = 0;
  private failed: Error | undefined;
  private readonly group: GroupSync;

  /**
   * @param walPath the database's `-wal` file.
   * @param dataSync the sync itself (tests substitute a gated or failing one).
   */
  constructor(
    readonly walPath: string,
    private readonly dataSync: DataSync = fileDataSync,
  ) {
    this.group = new GroupSync(() => this.flush());
  }

  /** Syncs started so far. */
  get syncs(): number {
    return this.group.flushes;
  }

  /** Throws if a sync failed: no write may commit any more. */
  check(): void {
    if (this.failed) throw this.failed;
  }

  /** Refuses every later write: a sync elsewhere (the database file's, after a checkpoint) failed. */
  fail(e: Error): void {
    this.failed ??= e;
  }

  /** Resolves once every commit finished before this call is on stable storage. */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return this.group.sync();
  }

  /** Waits for the syncs in flight, then closes the descriptor. */
  async close(): Promise<void> {
    while (this.group.busy) await this.group.sync().catch(() => undefined);
    await this.fh?.close();
    this.fh = undefined;
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    try {
      for (let attempt = 0; ; attempt++) {
        if (!this.fh) {
          this.fh = await open(this.walPath, 'r');
          const s = await this.fh.stat();
          this.ino = s.ino;
          this.dev = s.dev;
        }
        // The path is looked at while the sync runs, not after it: the commits this sync covers
        // finished before it started, so if the path still names this file now, they are in it
        // (a replaced log never comes back under its path).
        const [synced, looked] = await Promise.allSettled([this.dataSync(this.fh), stat(this.walPath)]);
        if (synced.status === 'rejected') throw synced.reason;
        if (looked.status === 'rejected') throw looked.reason;
        const now = looked.value;
        if (now.ino === this.ino && now.dev === this.dev) return;
        // The path names a new log: the old one was fully checkpointed before SQLite removed it;
        // commits since went to the new file, which is synced on the next turn.
        await this.fh.close();
        this.fh = undefined;
        if (attempt >= 3) throw new Error(`${this.walPath} keeps being replaced`);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.failed = new Error(`database write-ahead log sync failed, writes are refused until a restart: ${err.message}`, {
        cause: err,
      });
      throw this.failed;
    }
  }
}
