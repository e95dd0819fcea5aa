// The buffers that large blob bodies are sent through (BlobStore.openForSend): taken for one
// answer and given back when its last write has gone out, so that sending a large object neither
// allocates a buffer for every piece (each a new external buffer, which the garbage collector then
// has to find) nor holds more than one piece per answer in flight.

/** The size of each piece read from a blob and written to the client. */
export const SEND_PIECE = 256 * 1024;

/** At most this many idle buffers are kept (16 MiB); more answers at once allocate their own. */
const KEPT = 64;

/** Idle buffers are let go at the first of these ticks with no download since the one before (30–60 s). */
const TRIM_AFTER_MS = 30_000;

const idle: Buffer[] = [];
let takenSinceTrim = false;
let trimmer: NodeJS.Timeout | undefined;

export function takeSendBuffer(): Buffer {
  takenSinceTrim = true;
  return idle.pop() ?? Buffer.allocUnsafeSlow(SEND_PIECE);
}

/** Gives a buffer back once nothing refers to its bytes any more (its last write has completed). */
export function giveSendBuffer(b: Buffer): void {
  if (idle.length < KEPT) idle.push(b);
  trimmer ??= setInterval(trimIdleSendBuffers, TRIM_AFTER_MS).unref();
}

/** Lets the idle buffers go when no download took one since the last call (every TRIM_AFTER_MS). */
export function trimIdleSendBuffers(): void {
  if (!takenSinceTrim) {
    idle.length = 0;
    clearInterval(trimmer);
    trimmer = undefined;
  }
  takenSinceTrim = false;
}

/** Idle buffers kept (for the tests). */
export function idleSendBuffers(): number {
  return idle.length;
}
