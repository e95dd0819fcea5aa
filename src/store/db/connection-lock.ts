// Who may use the one SQLite connection right now. An open transaction owns it until it ends, so
// no other statement runs inside it (Kysely's own SqliteDriver keeps a mutex for the same reason);
// a checkpoint holds it against writes only (reads run on, they cannot disturb a checkpoint).
// Single statements do not take it at all when it is free: they run synchronously, so nothing can
// interleave with them. Waiters are served in arrival order.

export type LockHolder = 'transaction' | 'checkpoint' | 'statement' | 'stream' | 'commit';

export class ConnectionLock {
  private holder: LockHolder | undefined;
  private readonly queue: Array<() => void> = [];

  /** Whether a single statement may run now without waiting. */
  admits(readonly: boolean): boolean {
    return this.holder === undefined || (readonly && this.holder === 'checkpoint');
  }

  acquire(kind: LockHolder): Promise<void> {
    if (this.holder === undefined) {
      this.holder = kind;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) =>
      this.queue.push(() => {
        this.holder = kind;
        resolve();
      }),
    );
  }

  /** Hands the connection to the next waiter, or frees it. */
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.holder = undefined;
  }

  /** Runs `fn` holding the connection. */
  async with<T>(kind: LockHolder, fn: () => T | Promise<T>): Promise<T> {
    await this.acquire(kind);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
