// Small helpers for tests that order concurrent work by hand: a promise's outcome as flags to
// poll, a gate the test opens, and a bounded wait for a condition (no fixed sleeps: the machine
// may be slow).
import { setTimeout as sleep } from 'node:timers/promises';

/** Settles `p` into flags (and its value or error) that the test can poll. */
export function track<T>(p: Promise<T>) {
  const s = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  p.then(
    (v) => {
      s.done = true;
      s.value = v;
    },
    (e: unknown) => {
      s.done = true;
      s.error = e;
    },
  );
  return s;
}

/** A promise that resolves when the test calls open(). */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

/** Waits until `cond` holds, polling every 2 ms; throws after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
