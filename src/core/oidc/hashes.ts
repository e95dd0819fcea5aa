// at_hash, c_hash and s_hash (OIDC Core §3.1.3.6, §3.3.2.11): the left half of the hash of the value's
// octets (UTF-8: what relying parties hash; the same bytes as ASCII for codes and tokens),
// base64url-encoded, with the hash of the signing algorithm (SHA-256 for RS256 and ES256).
import { createHash } from 'node:crypto';

export type IdTokenAlg = 'RS256' | 'ES256';
export const ID_TOKEN_ALGS: readonly IdTokenAlg[] = ['RS256', 'ES256'];

export function isIdTokenAlg(s: string): s is IdTokenAlg {
  return (ID_TOKEN_ALGS as readonly string[]).includes(s);
}

export function leftHalfHash(value: string, _alg: IdTokenAlg): string {
  const digest = createHash('sha256').update(value, 'utf8').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
