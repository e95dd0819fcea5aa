// Group commit for fsync: callers that made a change durable-pending call sync(); one flush runs
// at a time, and every caller that arrived before a flush started is covered by that flush. Callers
// that arrive while a flush runs wait for the next one, which starts as soon as the running one
// ends and covers all of them at once: N concurrent writers cost about two flushes, not N.
// A failed flush rejects exactly the callers it was meant to cover.

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

export class GroupSync {
  private waiting: Waiter[] = [];
  private running = false;
  /** Flushes started so far (tests observe the coalescing through it). */
  flushes = 0;

  /**
   * @param flush makes every change finished before it was called durable.
   * @param onIdle runs when the last batch is done and nobody waits (lets keyed owners forget it).
   */
  constructor(
    private readonly flush: () => Promise<void>,
    private readonly onIdle?: () => void,
  ) {}

  /** Resolves once a flush that started after this call has succeeded. */
  sync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** True while a flush runs or callers wait for one. */
  get busy(): boolean {
    return this.running || this.waiting.length > 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      this.flushes++;
      try {
        await this.flush();
        for (const w of batch) w.resolve();
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.running = false;
    this.onIdle?.();
  }
}
