// CSPRNG-backed identifiers and credentials (design rule: credentials ≥160 bits, [A-Za-z0-9_-]).
// A credential never begins with '-': command lines (Node's parseArgs, getopt) would read it as an
// option instead of as an option's value (`--token -x…`).
// Small draws come from a pool that the CSPRNG refills 4 KiB at a time: with Node 20's OpenSSL 3,
// every `randomBytes` call costs about 6 µs whatever its size, and a code exchange makes several
// (bench/README.md, "Random bytes from a pool"). Each pooled byte is handed out once, encoded,
// and then zeroed in the pool. The price: up to 4 KiB of bytes not yet handed out (future
// credentials) sit in the process's memory, where a core dump would show them.
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
let used = POOL_SIZE;

/** `bytes` fresh random bytes, encoded (a view of the pool is encoded, never handed out). */
export function randomString(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`a random draw needs a positive whole number of bytes, not ${bytes}`);
  if (bytes > POOL_SIZE / 4) return randomBytes(bytes).toString(encoding);
  if (used + bytes > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const s = pool.toString(encoding, used, used + bytes);
  pool.fill(0, used, used + bytes);
  used += bytes;
  return s;
}

/** Whether a command line would take `s` for an option rather than for an option's value. */
export function readsAsOption(s: string): boolean {
  return s.startsWith('-');
}

/**
 * A credential (code, token, refresh token, storage token): base64url of `bytes` random bytes,
 * drawn again when it would begin with '-' (1 draw in 64). Its first character then carries
 * log2(63) bits instead of 6, so at least 21 bytes make the 160 bits (20 would make 159.98).
 */
export function newCredential(bytes = 24): string {
  if (bytes < 21) throw new Error('credentials need at least 160 bits (21 random bytes, the first character never being "-")');
  let s: string;
  do s = randomString(bytes, 'base64url');
  while (readsAsOption(s));
  return s;
}

/** A decimal string of `digits` random digits, first digit non-zero. */
export function randomDigits(digits: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < digits) s += String(randomInt(0, 10));
  return s;
}

/** A client secret in the shape of real ones: standard base64 of 20 random bytes (may hold + / =). */
export function newClientSecret(): string {
  return randomBytes(20).toString('base64');
}
