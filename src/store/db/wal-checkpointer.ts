// Checkpoints the embedded database off the event loop. A checkpoint copies committed WAL frames
// into the database file and syncs the WAL before and the database after; run by the writing
// connection (SQLite's automatic checkpoint) those two fsyncs stall the event loop for several
// milliseconds every few hundred commits. Here a worker thread with its own connection runs
// `PRAGMA wal_checkpoint(PASSIVE)` at most once per interval while writes happen, alongside them.
// A checkpoint that overlaps commits cannot finish the log, and only a finished log lets SQLite
// restart the WAL from its beginning; so once the log has grown past `restartFrames`, a second,
// short checkpoint follows while writes (not reads) wait through the connection lock (`hold`): it
// only copies what was committed during the first one. The worker is started on the first write
// and costs about 3 MiB. If it fails or hangs, the main connection's own automatic checkpoint
// takes over again.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS run by the worker (eval: a separate file would not survive bundling).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String((e && e.message) || e) });
  }
});
`;

interface Reply {
  ok: boolean;
  log?: number;
  checkpointed?: number;
  error?: string;
}

export interface CheckpointerOptions {
  /** The database file. */
  path: string;
  /** Runs `fn` while no write can start on the main connection (and none is open). */
  hold(fn: () => Promise<void>): Promise<void>;
  /** Called once if the worker fails: the caller re-enables its own automatic checkpoints. */
  onFail(error: Error): void;
  /** Minimum time between two checkpoints, ms. */
  intervalMs?: number;
  /** How long one checkpoint may take before the worker is given up, ms. */
  timeoutMs?: number;
  /** Log size (frames) from which writes pause for a finishing checkpoint. */
  restartFrames?: number;
}

export class WalCheckpointer {
  private worker: Worker | undefined;
  private failed = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastEnd = Date.now();
  private reply: ((r: Reply) => void) | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly restartFrames: number;
  /** Checkpoints completed (tests observe them). */
  checkpoints = 0;
  /** Of which writes waited for (tests observe them). */
  heldCheckpoints = 0;

  constructor(private readonly o: CheckpointerOptions) {
    this.intervalMs = o.intervalMs ?? 500;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.restartFrames = o.restartFrames ?? 4096;
  }

  /** Called after every commit: schedules a checkpoint unless one is due or running already. */
  nudge(): void {
    if (this.failed || this.running || this.timer) return;
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
    if (!this.failed) this.start(true);
    await this.running;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.failed = true; // no more checkpoints
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.ref(); // awaited: it must keep the event loop alive until it has closed its connection
    w.postMessage('close');
    await exited;
  }

  private start(finish = false): void {
    if (this.failed || this.running) return;
    this.running = this.cycle(finish)
      .catch((e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        this.running = undefined;
        this.lastEnd = Date.now();
      });
  }

  private async cycle(finish: boolean): Promise<void> {
    const frames = await this.run();
    if (finish || frames >= this.restartFrames) {
      await this.o.hold(async () => {
        await this.run();
      });
      this.heldCheckpoints++;
    }
  }

  /** One checkpoint; resolves with the log's size in frames when it started. */
  private async run(): Promise<number> {
    const w = this.spawn();
    w.ref(); // while a reply is awaited
    const r = await new Promise<Reply>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`checkpoint took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
      this.reply = (v) => {
        clearTimeout(t);
        resolve(v);
      };
      w.postMessage('checkpoint');
    });
    this.reply = undefined;
    w.unref();
    if (!r.ok) throw new Error(`checkpoint failed: ${r.error}`);
    this.checkpoints++;
    return r.log ?? 0;
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path: this.o.path },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    w.unref();
    w.on('message', (r: Reply) => this.reply?.(r));
    w.on('error', (e) => this.fail(e));
    w.on('exit', () => {
      if (this.worker === w) this.fail(new Error('checkpoint worker exited'));
    });
    this.worker = w;
    return w;
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    clearTimeout(this.timer);
    this.reply?.({ ok: false, error: e.message });
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    this.o.onFail(e);
  }
}
