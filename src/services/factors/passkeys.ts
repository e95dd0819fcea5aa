// Passkeys (WebAuthn) through @simplewebauthn/server. The relying party is the account origin:
// RP ID its host name, the expected origin its origin (OPAL_PUBLIC_URL).
//
// Challenges are stateless tokens, so that a page can offer a passkey ceremony on GET without
// storing anything: `<expires>.<nonce>.<HMAC(server secret, purpose, binding, expires, nonce)>`,
// where the binding is the CSRF token of the form that carries the answer (itself bound to the
// session or the anonymous pre-session, web/csrf.ts). A challenge is good for 5 minutes and once:
// its nonce is spent in the shared cache when an answer is checked.
import { randomBytes } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { hmacSha256Hex, safeEqual } from '../../lib/hash.ts';
import { lazyRequire } from '../../lib/lazy.ts';
import type { Cache } from '../../store/cache/cache.ts';
import type { FactorRow } from '../../store/db/factors-repo.ts';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

/** Loaded on first use (about 20 MiB resident, bench/README.md). */
const webauthn = lazyRequire<typeof import('@simplewebauthn/server')>('@simplewebauthn/server');
export type ChallengePurpose = 'register' | 'login' | 'second' | 'checkpw';

const CHALLENGE_TTL_MS = 5 * 60_000;
const TOKEN_RE = /^(\d{13})\.([A-Za-z0-9_-]{16})\.([0-9a-f]{64})$/;

export interface NewPasskey {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
}

export interface PasskeyRpOptions {
  publicUrl: string;
  rpName: () => string;
  serverSecret: string;
  cache: () => Cache;
  now: () => number;
}

export class PasskeyRp {
  readonly rpId: string;
  readonly origin: string;

  constructor(private readonly o: PasskeyRpOptions) {
    const u = new URL(o.publicUrl);
    this.rpId = u.hostname;
    this.origin = u.origin;
  }

  private mac(purpose: ChallengePurpose, binding: string, expires: string, nonce: string): string {
    return hmacSha256Hex(this.o.serverSecret, `webauthn|${purpose}|${binding}|${expires}|${nonce}`);
  }

  private challenge(purpose: ChallengePurpose, binding: string): string {
    const expires = String(this.o.now() + CHALLENGE_TTL_MS);
    const nonce = randomBytes(12).toString('base64url');
    return `${expires}.${nonce}.${this.mac(purpose, binding, expires, nonce)}`;
  }

  /** Whether `b64` (the challenge a browser signed) is one of ours for `purpose` and `binding`, unexpired and unspent; spends it. */
  private async spend(purpose: ChallengePurpose, binding: string, b64: string): Promise<boolean> {
    const m = TOKEN_RE.exec(Buffer.from(b64, 'base64url').toString('utf8'));
    if (!m) return false;
    const [, expires = '', nonce = '', mac = ''] = m;
    const left = Number(expires) - this.o.now();
    if (left <= 0 || left > CHALLENGE_TTL_MS) return false;
    if (!safeEqual(this.mac(purpose, binding, expires, nonce), mac)) return false;
    return this.o.cache().setIfAbsent(`webauthn:spent:${nonce}`, '1', CHALLENGE_TTL_MS);
  }

  async registrationOptions(
    binding: string,
    user: { userId: string; account: string },
    existing: FactorRow[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return webauthn().generateRegistrationOptions({
      rpName: this.o.rpName(),
      rpID: this.rpId,
      userID: new TextEncoder().encode(user.userId),
      userName: user.account,
      userDisplayName: user.account,
      challenge: this.challenge('register', binding),
      attestationType: 'none',
      excludeCredentials: existing.flatMap((f) => (f.credential_id ? [{ id: f.credential_id }] : [])),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  /** The new passkey, or undefined when the answer does not verify. */
  async verifyRegistration(binding: string, response: RegistrationResponseJSON): Promise<NewPasskey | undefined> {
    try {
      const r = await webauthn().verifyRegistrationResponse({
        response,
        expectedChallenge: (c) => this.spend('register', binding, c),
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: true,
      });
      if (!r.verified) return undefined;
      const c = r.registrationInfo.credential;
      return {
        credentialId: c.id,
        publicKey: Buffer.from(c.publicKey).toString('base64url'),
        signCount: c.counter,
        transports: c.transports ?? [],
      };
    } catch {
      return undefined;
    }
  }

  /** Options for a sign-in: any passkey of this site (`allow` empty: discoverable) or one of `allow`. */
  authenticationOptions(
    purpose: ChallengePurpose,
    binding: string,
    allow: FactorRow[] = [],
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return webauthn().generateAuthenticationOptions({
      rpID: this.rpId,
      challenge: this.challenge(purpose, binding),
      userVerification: 'required',
      allowCredentials: allow.flatMap((f) => (f.credential_id ? [{ id: f.credential_id }] : [])),
    });
  }

  /** The new signature counter when `response` is a good assertion by `factor`'s passkey, else undefined. */
  async verifyAuthentication(
    purpose: ChallengePurpose,
    binding: string,
    response: AuthenticationResponseJSON,
    factor: FactorRow,
  ): Promise<number | undefined> {
    if (!factor.credential_id || !factor.public_key) return undefined;
    try {
      const r = await webauthn().verifyAuthenticationResponse({
        response,
        expectedChallenge: (c) => this.spend(purpose, binding, c),
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: true,
        credential: {
          id: factor.credential_id,
          publicKey: new Uint8Array(Buffer.from(factor.public_key, 'base64url')),
          counter: factor.sign_count ?? 0,
        },
      });
      return r.verified ? r.authenticationInfo.newCounter : undefined;
    } catch {
      return undefined;
    }
  }
}
