// PKCE (RFC 7636), S256 only.
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/hash.ts';

const VERIFIER_RE = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE_RE = /^[A-Za-z0-9_-]{43}$/;

export function isValidChallenge(challenge: string): boolean {
  return CHALLENGE_RE.test(challenge);
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** True when `verifier` is well-formed and hashes to `challenge`. */
export function verifyPkce(challenge: string, verifier: string | undefined): boolean {
  if (verifier === undefined || !VERIFIER_RE.test(verifier)) return false;
  return safeEqual(s256(verifier), challenge);
}
