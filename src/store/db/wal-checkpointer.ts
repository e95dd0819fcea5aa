// Checkpoints the embedded database without an fsync on the event loop, and with this process's
// writes held back only for the last few frames. A checkpoint copies committed WAL frames into the
// database file; SQLite's own (run by the writing connection after a commit) also syncs the WAL
// before copying and the database after, stalling the event loop for several milliseconds every
// few hundred commits. Here, at most once per interval while writes happen, in two rounds:
// 1. Ahead, while writes go on. A third connection opens a read transaction and keeps it open
//    until the end of this round: SQLite restarts the log only when no reader holds a read slot
//    other than slot 0 (walRestartLog), so no process can restart the log meanwhile. The WAL is
//    synced on the threadpool (WalSync: every commit so far is durable); a second connection with
//    synchronous=OFF runs `wal_checkpoint(PASSIVE)`: it only write()s frames into the database
//    file, at most up to the pinning reader's snapshot, which the sync covered; then the database
//    file is fdatasynced on the threadpool; then the reader ends. (A reader on slot 0 pins
//    nothing, but then it also keeps the checkpoint from copying anything: walCheckpoint needs
//    slot 0 exclusively to copy.)
// 2. Held (`hold`; reads go on): the main connection takes SQLite's write lock (BEGIN IMMEDIATE),
//    so no process can commit or restart the log; the same three steps copy what was committed
//    during round 1, usually a few milliseconds' worth; the lock is released. Every frame is then
//    in the synced database file, and SQLite restarts the log from its beginning on the next write.
// A power loss at any point leaves every committed frame that is not in the synced database file
// in the log (no restart can happen before a round's database sync ends), and recovery replays
// them over whatever part of a copy reached the disk. A failed database sync stops every write of
// this process for good (`fail`: after an fsync error Linux may have dropped the unwritten pages,
// so no later sync can vouch for them) and ends checkpoints; a failure in round 1 keeps its reader,
// so that no process restarts the log either.
// SQLite's own automatic checkpoint stays on as a backstop, at a far larger log size.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import SQLite from 'better-sqlite3';
import { type DataSync, fileDataSync } from './wal-sync.ts';

export interface CheckpointerOptions {
  /** The database file. */
  path: string;
  /** The main connection (it takes the write lock during a checkpoint). */
  main(): SQLite.Database;
  /** Makes every commit so far durable (the WAL sync). */
  durable(): Promise<void>;
  /** Runs `fn` while no write or transaction of this process can start (reads go on). */
  hold(fn: () => Promise<void>): Promise<void>;
  /** Refuses every later write of this process (a database sync failed after a copy). */
  fail(e: Error): void;
  /** The database file's sync (tests substitute a failing one). */
  dataSync?: DataSync;
  /** Minimum time between two checkpoints, ms. */
  intervalMs?: number;
}

export class WalCheckpointer {
  private copier: SQLite.Database | undefined;
  private pin: SQLite.Database | undefined;
  private dbFile: FileHandle | undefined;
  private closed = false;
  /** A database sync failed after a copy: no more checkpoints, and round 1's reader stays. */
  private broken = false;
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
    this.pin?.close();
    this.pin = undefined;
    await this.dbFile?.close();
    this.dbFile = undefined;
  }

  private start(): void {
    if (this.closed || this.broken || this.running) return;
    this.running = this.run()
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
    // Round 2 alone is a whole checkpoint: it runs even when round 1 failed (unless a sync did).
    const ahead = await this.copyAhead().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (this.broken) throw ahead;
    await this.o.hold(() => this.copyHeld());
    if (ahead) throw ahead;
  }

  /** Round 1: the bulk of the log, copied while writes go on (a reader keeps the log from restarting). */
  private async copyAhead(): Promise<void> {
    this.pin ??= new SQLite(this.o.path, { fileMustExist: true, readonly: true });
    const pin = this.pin;
    pin.prepare('begin').run();
    try {
      pin.prepare('select 1 from sqlite_master limit 1').all(); // starts the read transaction
      await this.copy();
    } finally {
      if (!this.broken) this.endPin(pin);
    }
  }

  private endPin(pin: SQLite.Database): void {
    try {
      if (pin.inTransaction) pin.prepare('rollback').run();
    } catch {
      pin.close(); // a reader that cannot end its transaction is let go with its connection
      if (this.pin === pin) this.pin = undefined;
    }
  }

  /** Round 2: the rest, with this process's writes held and SQLite's write lock taken. */
  private async copyHeld(): Promise<void> {
    const main = this.o.main();
    main.prepare('begin immediate').run();
    try {
      await this.copy();
    } finally {
      if (main.inTransaction) main.prepare('rollback').run(); // it wrote nothing
    }
  }

  /** Syncs the log, copies what readers allow into the database file, syncs the database file. */
  private async copy(): Promise<void> {
    await this.o.durable();
    if (!this.copier) {
      const c = new SQLite(this.o.path, { fileMustExist: true });
      c.pragma('synchronous = OFF');
      c.pragma('wal_autocheckpoint = 0');
      this.copier = c;
    }
    // Opened before the copy: nothing may fail between the copy and the sync but the sync.
    this.dbFile ??= await open(this.o.path, 'r');
    this.copier.pragma('wal_checkpoint(PASSIVE)');
    try {
      await (this.o.dataSync ?? fileDataSync)(this.dbFile);
    } catch (e) {
      const err = new Error(`database file sync after a checkpoint failed, writes are refused until a restart: ${String(e)}`, {
        cause: e,
      });
      this.broken = true;
      this.o.fail(err);
      throw err;
    }
  }
}
