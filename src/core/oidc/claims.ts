// Claims of the id_token (OIDC Core §2; at_hash, c_hash and s_hash bind what travels with it) and of /userinfo (§5.1, §5.3) from Xiaomi account data.
// `sub` is the per-developer unionId, so it is the same for every app of one developer and never
// reveals the Opal user id. A claim is present only when its scope was granted and it has a value.
import type { IdTokenAlg } from './hashes.ts';
import { leftHalfHash } from './hashes.ts';

/** How and when the user signed in, carried from the authorization code to every id_token. */
export interface OidcSession {
  /** Epoch seconds of the sign-in (the page session's start). */
  authTime: number;
  /** Authentication methods (RFC 8176): `pwd`, plus `otp` (TOTP or recovery code) or `hwk` (passkey); `hwk` alone for a passkey sign-in. */
  amr: string[];
  nonce?: string | undefined;
}

/** acr from amr: "2" when a second factor or a passkey (possession plus user verification) was used, "1" for a password alone. */
export function acrOf(amr: readonly string[]): string {
  return amr.includes('mfa') || amr.includes('otp') || amr.includes('hwk') ? '2' : '1';
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  sub: string;
  session: OidcSession;
  /** Epoch seconds. */
  now: number;
  lifetimeSec: number;
  alg: IdTokenAlg;
  accessToken?: string | undefined;
  code?: string | undefined;
  /** Hybrid responses: the state, bound with s_hash (FAPI 1.0 Advanced §5.2.2.1). */
  state?: string | undefined;
  /** Include the nonce (the first id_token of a code; refreshed id_tokens omit it, §12.2). */
  withNonce: boolean;
}

export function idTokenClaims(i: IdTokenInput): Record<string, unknown> {
  const c: Record<string, unknown> = {
    iss: i.issuer,
    sub: i.sub,
    aud: i.clientId,
    exp: i.now + i.lifetimeSec,
    iat: i.now,
    auth_time: i.session.authTime,
  };
  if (i.withNonce && i.session.nonce !== undefined) c.nonce = i.session.nonce;
  c.acr = acrOf(i.session.amr);
  c.amr = [...i.session.amr];
  c.azp = i.clientId;
  if (i.accessToken !== undefined) c.at_hash = leftHalfHash(i.accessToken, i.alg);
  if (i.code !== undefined) c.c_hash = leftHalfHash(i.code, i.alg);
  if (i.state !== undefined) c.s_hash = leftHalfHash(i.state, i.alg);
  return c;
}

export interface UserinfoInput {
  sub: string;
  scopes: readonly number[];
  nickname: string;
  /** The user's avatar URL (the default avatar when the user has none). */
  picture: string;
  email: string;
  phone: string;
  locale: string;
}

/** Standard claims: profile (1) → name, nickname, picture, locale; email (6); phone (4). */
export function userinfoClaims(u: UserinfoInput): Record<string, unknown> {
  const c: Record<string, unknown> = { sub: u.sub };
  if (u.scopes.includes(1)) {
    if (u.nickname) {
      c.name = u.nickname;
      c.nickname = u.nickname;
    }
    c.picture = u.picture;
    if (u.locale) c.locale = u.locale.replace('_', '-');
  }
  // Emails and phone numbers are set by the operator (Opal has no self-service change), like the
  // bound email and phone of a Xiaomi account, so they count as verified.
  if (u.scopes.includes(6) && u.email) {
    c.email = u.email;
    c.email_verified = true;
  }
  if (u.scopes.includes(4) && u.phone) {
    c.phone_number = u.phone;
    c.phone_number_verified = true;
  }
  return c;
}
