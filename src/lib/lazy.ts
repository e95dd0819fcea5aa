// Packages a server may never need (second factors, QR codes, User-Agent parsing, pretty logs,
// OpenID Connect's jose, nodemailer, sharp) are loaded on first use, not at start-up: each costs
// megabytes of resident memory (bench/README.md, "Memory: the allocator, SQLite's cache").
// CommonJS-loadable ones are required where the caller is synchronous; the others are imported,
// and what is made from them (a mail transport) is made once too.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** `id` required the first time the returned function is called. */
export function lazyRequire<T>(id: string): () => T {
  let m: T | undefined;
  return () => {
    m ??= load(id) as T;
    return m;
  };
}

/**
 * A value made asynchronously on its first use and then kept (a package's `import()`, a transport
 * made from it). A failure is not kept: the next use tries again.
 */
export class Lazy<T> {
  private made: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.made) return this.made;
    const p: Promise<T> = this.make().catch((e: unknown) => {
      if (this.made === p) this.made = undefined;
      throw e;
    });
    this.made = p;
    return p;
  }

  /** The value made or being made, if any, now forgotten: the next use makes a new one. */
  take(): Promise<T> | undefined {
    const p = this.made;
    this.made = undefined;
    return p;
  }
}
