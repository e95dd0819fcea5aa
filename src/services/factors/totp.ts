// TOTP (RFC 6238) through otplib: SHA-1, 6 digits, 30-second steps (what authenticator apps
// expect), a 160-bit base32 secret, codes of the previous, current and next step accepted, and the
// otpauth:// URI shown as a QR code (the `qrcode` package, an SVG data URL: no script needed).
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

const CODE_RE = /^\d{6}$/;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(issuer: string, account: string, secret: string): string {
  return generateURI({ issuer, label: account, secret });
}

export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The time step `code` is good for now (±1 step), or undefined. */
export async function totpStep(secret: string, code: string, nowMs: number): Promise<number | undefined> {
  if (!CODE_RE.test(code)) return undefined;
  try {
    const r = await verify({ secret, token: code, epoch: Math.floor(nowMs / 1000), epochTolerance: 30 });
    return r.valid && 'timeStep' in r ? r.timeStep : undefined;
  } catch {
    return undefined;
  }
}

/** What a user typed as a code, without spaces and dashes, lower-cased. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toLowerCase().slice(0, 64);
}
