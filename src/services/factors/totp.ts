// TOTP (RFC 6238) through otplib: SHA-1, 6 digits, 30-second steps (what authenticator apps
// expect), a 160-bit base32 secret, codes of the previous, current and next step accepted, and the
// otpauth:// URI shown as a QR code (lib/qr-code.ts). otplib is loaded on first use.
import { lazyRequire } from '../../lib/lazy.ts';

const otplib = lazyRequire<typeof import('otplib')>('otplib');

const CODE_RE = /^\d{6}$/;

export function newTotpSecret(): string {
  return otplib().generateSecret();
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(issuer: string, account: string, secret: string): string {
  return otplib().generateURI({ issuer, label: account, secret });
}

/** The time step `code` is good for now (±1 step), or undefined. */
export async function totpStep(secret: string, code: string, nowMs: number): Promise<number | undefined> {
  if (!CODE_RE.test(code)) return undefined;
  try {
    const r = await otplib().verify({ secret, token: code, epoch: Math.floor(nowMs / 1000), epochTolerance: 30 });
    return r.valid && 'timeStep' in r ? r.timeStep : undefined;
  } catch {
    return undefined;
  }
}

/** What a user typed as a code, without spaces and dashes, lower-cased. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toLowerCase().slice(0, 64);
}
