// Passbook wire rules (account-protocol §6.8, unverified upstream; Opal's shape per issue 4):
// `GET /app/get_pass` returns an array of passes with these keys, every value non-null;
// `imei` is the lower-case MD5 hex of a device IMEI; dates are epoch milliseconds.
import { createHash } from 'node:crypto';

export interface WirePass {
  passId: string;
  /** '' when the pass has no code. */
  passCode: string;
  appName: string;
  appId: string;
  logoUrl: string;
  planId: string;
  title: string;
  description: string;
  /** Epoch ms. */
  validStartDate: number;
  validEndDate: number;
}

const MD5_HEX_RE = /^[0-9a-fA-F]{32}$/;
const IMEI_RE = /^[0-9A-Za-z]{8,20}$/;

/** The `imei` parameter: 32 hex digits, compared lower-case; undefined when malformed. */
export function parseImeiMd5(v: string): string | undefined {
  return MD5_HEX_RE.test(v) ? v.toLowerCase() : undefined;
}

/** MD5 hex of a raw IMEI (or MEID) as a device would send it. */
export function imeiMd5(imei: string): string {
  if (!IMEI_RE.test(imei)) throw new Error('IMEI must be 8-20 letters or digits');
  return createHash('md5').update(imei, 'utf8').digest('hex');
}

export const MAX_TITLE = 100;
export const MAX_DESCRIPTION = 1000;
export const MAX_PASS_CODE = 200;
