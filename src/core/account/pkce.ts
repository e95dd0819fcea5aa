// PKCE (RFC 7636). S256 only, unless an app is allowed `plain` (the app flag `allowPlainPkce`): a
// plain challenge is the verifier itself, so the code stores its S256 and one check serves both.
// A missing method means `plain` (RFC 7636 §4.3), and an unknown one is refused, never dropped:
// dropping it would let the code redeem with any verifier (RFC 9700 §4.8.2).
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

export type ChallengeCheck = { ok: true; challenge: string | undefined } | { ok: false; description: string };

/** The challenge of an authorize request, in the S256 form a code stores (undefined when none was sent). */
export function checkChallenge(challenge: string | undefined, method: string | undefined, allowPlain: boolean): ChallengeCheck {
  if (challenge === undefined || challenge === '') return { ok: true, challenge: undefined };
  if (method === 'S256') {
    return isValidChallenge(challenge) ? { ok: true, challenge } : { ok: false, description: 'invalid request: malformed code_challenge' };
  }
  if (method !== undefined && method !== 'plain') return { ok: false, description: 'invalid request: unsupported code_challenge_method' };
  if (!allowPlain) return { ok: false, description: 'invalid request: code_challenge_method must be S256' };
  if (!VERIFIER_RE.test(challenge)) return { ok: false, description: 'invalid request: malformed code_challenge' };
  return { ok: true, challenge: s256(challenge) };
}
