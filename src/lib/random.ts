// CSPRNG-backed identifiers and credentials (design rule: credentials ≥160 bits, [A-Za-z0-9_-]).
import { randomBytes, randomInt } from 'node:crypto';

/** A credential (code, token, refresh token, MAC key, storage token): base64url of `bytes` random bytes. */
export function newCredential(bytes = 24): string {
  if (bytes < 20) throw new Error('credentials need at least 160 bits');
  return randomBytes(bytes).toString('base64url');
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
