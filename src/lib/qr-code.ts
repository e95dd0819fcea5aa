// QR codes drawn on the server as SVG (no script needed on the page): pass codes in the account
// center, otpauth:// URIs when an authenticator app is set up. The `qrcode` package is loaded on
// first use.
import { lazyRequire } from './lazy.ts';

const qrcode = lazyRequire<typeof import('qrcode')>('qrcode');

/** `text` as an SVG QR code (error correction M, a two-module margin). */
export function qrSvg(text: string): Promise<string> {
  return qrcode().toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The same as a data: URL, for an <img>. */
export async function qrDataUrl(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrSvg(text), 'utf8').toString('base64')}`;
}
