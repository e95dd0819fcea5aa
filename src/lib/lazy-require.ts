// Packages a server may never need (second factors, QR codes, User-Agent parsing, pretty logs) are
// loaded on first use, not at start-up: each costs megabytes of resident memory (bench/README.md).
// They are CommonJS-loadable, so a synchronous require works where the caller is synchronous.
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
