// Checkpoints the embedded database without an fsync on the event loop. A checkpoint copies
// committed WAL frames into the database file; SQLite's own (run by the writing connection after a
// commit) also syncs the WAL before copying and the database after, stalling the event loop for
// several milliseconds every few hundred commits. Here, at most once per interval while writes
// happen, and with this process's writes held back (`hold`; reads go on):
// 1. the main connection takes SQLite's write lock (BEGIN IMMEDIATE): no process can commit, and
//    so none can restart the log, until step 4;
// 2. the WAL is synced on the threadpool (WalSync): every committed frame is durable;
// 3. a second connection with synchronous=OFF runs `wal_checkpoint(PASSIVE)`: it only write()s
//    the frames into the database file (the sync SQLite would do first was step 2);
// 4. the database file is fdatasynced on the threadpool (the sync SQLite would do after), and only
//    then is the write lock released. SQLite restarts the log from its beginning on the next
//    write; the frames it then overwrites are in the synced database file.
// A power loss at any point leaves every committed frame in the log (no restart can happen before
// step 4 ends), and recovery replays them over whatever part of the copy reached the disk.
// SQLite's own automatic checkpoint stays on as a backstop, at a far larger log size.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import SQLite from 'better-sqlite3';

export interface CheckpointerOptions {
  /** The database file. */
  path: string;
  /** The main connection (it takes the write lock during a checkpoint). */
  main(): SQLite.Database;
  /** Makes every commit so far durable (the WAL sync). */
  durable(): Promise<void>;
  /** Runs `fn` while no write or transaction of this process can start (reads go on). */
  hold(fn: () => Promise<void>): Promise<void>;
  /** Minimum time between two checkpoints, ms. */
  intervalMs?: number;
}

export class WalCheckpointer {
  private copier: SQLite.Database | undefined;
  private dbFile: FileHandle | undefined;
  private closed = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastEnd = Date.now();
  private readonly intervalMs: number;
  /** Checkpoints completed (tests observe them). */
  checkpoints = 0;
  /** The last checkpoint's error, if it failed (the next one tries again). */
  lastError: Error | undefined;

  constructor(private readonly o: CheckpointerOptions) {
    this.intervalMs = o.intervalMs ?? 500;
  }

  /** Called after every commit: schedules a checkpoint unless one is due or running already. */
  nudge(): void {
    if (this.closed || this.running || this.timer) return;
    const wait = this.lastEnd + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, wait);
    this.timer.unref();
  }

  /** Copies everything committed so far into the database file now (waits for a running one). */
  async checkpoint(): Promise<void> {
    if (this.running) await this.running;
    this.start();
    await this.running;
    if (this.lastError) throw this.lastError;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.copier?.close();
    this.copier = undefined;
    await this.dbFile?.close();
    this.dbFile = undefined;
  }

  private start(): void {
    if (this.closed || this.running) return;
    this.running = this.o
      .hold(() => this.run())
      .then(
        () => {
          this.lastError = undefined;
          this.checkpoints++;
        },
        (e: unknown) => {
          this.lastError = e instanceof Error ? e : new Error(String(e));
        },
      )
      .finally(() => {
        this.running = undefined;
        this.lastEnd = Date.now();
      });
  }

  private async run(): Promise<void> {
    const main = this.o.main();
    main.prepare('begin immediate').run();
    try {
      await this.o.durable();
      if (!this.copier) {
        const c = new SQLite(this.o.path, { fileMustExist: true });
        c.pragma('synchronous = OFF');
        c.pragma('wal_autocheckpoint = 0');
        this.copier = c;
      }
      this.copier.pragma('wal_checkpoint(PASSIVE)');
      this.dbFile ??= await open(this.o.path, 'r');
      await this.dbFile.datasync();
    } finally {
      if (main.inTransaction) main.prepare('rollback').run(); // it wrote nothing
    }
  }
}
