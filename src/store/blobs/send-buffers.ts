// The buffers that large blob bodies are sent through (BlobStore.openForSend): taken for one
// answer and given back when its last write has gone out, so that sending a large object neither
// allocates a buffer for every piece (each a new external buffer, which the garbage collector then
// has to find) nor holds more than one piece per answer in flight.

/** The size of each piece read from a blob and written to the client. */
export const SEND_PIECE = 256 * 1024;

/** At most this many idle buffers are kept (4 MiB); more answers at once allocate their own. */
const KEPT = 16;

const idle: Buffer[] = [];

export function takeSendBuffer(): Buffer {
  return idle.pop() ?? Buffer.allocUnsafeSlow(SEND_PIECE);
}

/** Gives a buffer back once nothing refers to its bytes any more (its last write has completed). */
export function giveSendBuffer(b: Buffer): void {
  if (idle.length < KEPT) idle.push(b);
}

/** Idle buffers kept (for the tests). */
export function idleSendBuffers(): number {
  return idle.length;
}
