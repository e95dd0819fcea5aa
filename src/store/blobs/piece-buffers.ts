// The buffers that large blob bodies go through in the filesystem store, both ways: sent
// (BlobStore.openForSend: taken for one answer and given back when its last write has gone out)
// and stored (pooled-file-writer.ts: an upload's pieces copied into them and written when full).
// Neither direction allocates a buffer for every piece (each a new external buffer, which the
// garbage collector then has to find) nor holds more than a piece or two per transfer in flight.

/** The size of each piece read from a blob and written to the client, or written to a file. */
export const PIECE = 256 * 1024;

/** At most this many idle buffers are kept (16 MiB); more transfers at once allocate their own. */
const KEPT = 64;

/** Idle buffers are let go at the first of these ticks with no transfer since the one before (30–60 s). */
const TRIM_AFTER_MS = 30_000;

const idle: Buffer[] = [];
let takenSinceTrim = false;
let trimmer: NodeJS.Timeout | undefined;

export function takePieceBuffer(): Buffer {
  takenSinceTrim = true;
  return idle.pop() ?? Buffer.allocUnsafeSlow(PIECE);
}

/** Gives a buffer back once nothing refers to its bytes any more (its last write has completed). */
export function givePieceBuffer(b: Buffer): void {
  if (idle.length < KEPT) idle.push(b);
  trimmer ??= setInterval(trimIdlePieceBuffers, TRIM_AFTER_MS).unref();
}

/** Lets the idle buffers go when no transfer took one since the last call (every TRIM_AFTER_MS). */
export function trimIdlePieceBuffers(): void {
  if (!takenSinceTrim) {
    idle.length = 0;
    clearInterval(trimmer);
    trimmer = undefined;
  }
  takenSinceTrim = false;
}

/** Idle buffers kept (for the tests). */
export function idlePieceBuffers(): number {
  return idle.length;
}
