// A bounded gate for work that costs a lot of memory at once (decoding images with sharp): at most
// `max` calls run, at most `maxWaiting` more wait in line (first come, first served), and a call
// beyond both is refused at once with the caller's error, so neither the work in progress nor the
// line grows without bound. One gate is shared by everything in the process that runs sharp (FDS
// image operations and avatar uploads, context.ts).

export class Gate {
  private running = 0;
  private readonly line: Array<() => void> = [];

  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  /** Calls running now. */
  get active(): number {
    return this.running;
  }

  /** Calls waiting for a place. */
  get waiting(): number {
    return this.line.length;
  }

  /** Runs `f` once a place is free; throws `full()` when the line is full too. */
  async run<T>(f: () => Promise<T>, full: () => Error): Promise<T> {
    if (this.running >= this.max) {
      if (this.line.length >= this.maxWaiting) throw full();
      // The place is handed over by the call that ends (running stays counted).
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await f();
    } finally {
      const next = this.line.shift();
      if (next) next();
      else this.running--;
    }
  }
}
