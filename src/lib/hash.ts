// Hashing helpers: SHA-256 for stored credentials, keyed HMAC for client secrets, constant-time
// comparison for every secret. SHA-256 goes through `crypto.hash`, the one-shot form (Node 20.12):
// about a third of the CPU of a `createHash` object for the short strings hashed per request.
import { createHmac, hash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a string's UTF-8 bytes (or of a buffer), as hex. */
export function sha256Hex(value: string | Buffer): string {
  return hash('sha256', value, 'hex');
}

export function hmacSha256Hex(key: string | Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Constant-time string equality (lengths are compared via digests, so they do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const da = hash('sha256', a, 'buffer');
  const db = hash('sha256', b, 'buffer');
  return timingSafeEqual(da, db) && a.length === b.length;
}

/**
 * Constant-time equality of `expected`, whose length is public (a MAC's encoding, a digest), with
 * what a client sent (a string, or its UTF-8 bytes when one value is compared with several): a
 * length in bytes that differs answers false at once, the bytes are compared in constant time, and
 * nothing is hashed. Strings compare as their UTF-8 bytes, so `expected` must be well-formed
 * (ASCII here): a lone surrogate encodes as U+FFFD.
 */
export function safeEqualPublicLength(expected: string, given: string | Buffer): boolean {
  const e = Buffer.from(expected, 'utf8');
  const g = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
  return e.length === g.length && timingSafeEqual(e, g);
}
