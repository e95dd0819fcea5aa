// The buffers that large blob bodies go through in the filesystem store, both ways: sent
// (BlobStore.openForSend: taken for one answer and given back when its last write has gone out)
// and stored (pooled-file-writer.ts: an upload's pieces copied into them and written when full).
// Neither direction allocates a buffer for every piece (each a new external buffer, which the
// garbage collector then has to find) nor holds more than two buffers per transfer.

/** The size of each piece read from a blob and written to the client, or written to a file. */
export const PIECE = 256 * 1024;

/** At most this many idle buffers are kept (16 MiB); more transfers at once allocate their own. */
const KEPT = 64;

/**
 * Buffers in use (taken, not yet given back or dropped; downloads' included) at which an upload
 * takes no new one (takePieceBufferIfFree), 32 MiB: uploads hold theirs from their first byte to
 * their last, and many slow ones must not pin a buffer each. Downloads are never refused one.
 */
export const IN_USE_FOR_UPLOADS = 128;

/** Idle buffers are let go at the first of these ticks with no transfer since the one before (30–60 s). */
const TRIM_AFTER_MS = 30_000;

const idle: Buffer[] = [];
let inUse = 0;
let takenSinceTrim = false;
let trimmer: NodeJS.Timeout | undefined;

/** A buffer for one transfer; give it back (or drop it) when done. */
export function takePieceBuffer(): Buffer {
  takenSinceTrim = true;
  const b = idle.pop() ?? Buffer.allocUnsafeSlow(PIECE);
  inUse++;
  return b;
}

/** A buffer for an upload, unless IN_USE_FOR_UPLOADS are in use already. */
export function takePieceBufferIfFree(): Buffer | undefined {
  return inUse < IN_USE_FOR_UPLOADS ? takePieceBuffer() : undefined;
}

/** Gives a buffer back once nothing refers to its bytes any more (its last write has completed). */
export function givePieceBuffer(b: Buffer): void {
  inUse--;
  if (idle.length < KEPT) idle.push(b);
  trimmer ??= setInterval(trimIdlePieceBuffers, TRIM_AFTER_MS).unref();
}

/** Lets a taken buffer go without reuse (after a failure, when nothing says who may still refer to it). */
export function dropPieceBuffer(): void {
  inUse--;
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

/** Buffers taken and not yet given back or dropped (for the tests). */
export function pieceBuffersInUse(): number {
  return inUse;
}
