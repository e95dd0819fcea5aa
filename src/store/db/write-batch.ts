// One turn's writes in one SQLite transaction (the embedded store's batch, sqlite-driver.ts): its
// settlement once durable or lost, the savepoint each transaction of it runs in, and the error its
// writers get when another write's failure rolled it back.

/**
 * A write rolled back with the other writes of its turn because of another one's failure. Its
 * message is not the cause's (a unique violation would tell something false of this write); the
 * cause's code is kept where it holds for every write of the batch (a full disk, an I/O error).
 */
export class BatchRolledBackError extends Error {
  readonly code: string | undefined;

  constructor(cause: unknown) {
    super('the write was rolled back with the other writes of its turn', { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' && /^SQLITE_(FULL|IOERR|NOMEM)/.test(code) ? code : undefined;
  }
}

/** The savepoint each transaction of a batch runs in. */
export const MEMBER = 'opal_tx';

/** One turn's writes in one SQLite transaction; `done` settles once they are durable, or lost. */
export class Batch {
  /** A write has run in it (a released transaction that wrote, or a single write statement). */
  wrote = false;
  /** Its commit after the turn is scheduled. */
  scheduled = false;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (e: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined); // a batch nobody waits for (it wrote nothing) may fail unheard
  }

  settle(error?: unknown): void {
    if (error === undefined) this.resolve();
    else this.reject(error);
  }
}
