// Galaxy-V2 request signatures (fds-protocol §2.2): the StringToSign, its canonicalized x-xiaomi
// headers and resource, the HMAC, and the verification candidates of §2.2.6 (Python path quirk,
// algorithm chosen by signature length, empty x-xiaomi headers omitted, trailing `=` kept).
// Pure: no I/O. Used by the server (verification) and by clients (the CLI, test SDK emulation).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { percentDecode, splitQuery } from './query.ts';

export type SignAlgorithm = 'sha1' | 'sha256' | 'md5';

/** Case-sensitive sub-resource whitelist (§2.2.4). `compression` (modern CORE) is a variant. */
export const SUB_RESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'quota',
  'uploads',
  'partNumber',
  'uploadId',
  'storageAccessToken',
  'metadata',
]);

/** A request as the signature sees it. */
export interface SignableRequest {
  /** HTTP method (upper-cased when signing). */
  method: string;
  /** Path exactly as sent, still percent-encoded, e.g. `/b/%E4%B8%AD`. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  /** Header name/value pairs in arrival order (names in any case). */
  headers: ReadonlyArray<readonly [string, string]>;
  /**
   * Presigned requests: the `Expires` value exactly as parsed for the expiry check. When set, the
   * DateLine is this value and never a Date or x-xiaomi-date header (one parse for both uses).
   */
  dateLine?: string;
}

/** Canonicalization variants; all false gives the CORE (Java) form. */
export interface CanonicalVariant {
  /** (a) Python: percent-decode `path?query` first, then split at the first `?`. */
  pythonPath?: boolean;
  /** (c) Python: omit x-xiaomi headers whose value is empty. */
  skipEmptyHeaders?: boolean;
  /** (d) Python: keep `key=` for a whitelisted sub-resource sent with `=` and an empty value. */
  keepEmptyEquals?: boolean;
  /** Modern CORE: `compression` is a sub-resource too. */
  withCompression?: boolean;
  /** Modern CORE: a Content-Type starting with multipart/form-data is signed as exactly that. */
  collapseMultipart?: boolean;
}

function firstHeader(headers: SignableRequest['headers'], name: string): string | undefined {
  for (const [k, v] of headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** CanonicalizedXiaomiHeaders (§2.2.3): `key:v1,v2\n` per x-xiaomi-* header, sorted by key. */
export function canonicalHeaders(headers: SignableRequest['headers'], variant: CanonicalVariant = {}): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of headers) {
    const key = k.toLowerCase();
    if (!key.startsWith('x-xiaomi-')) continue;
    const value = variant.skipEmptyHeaders ? v.trim() : v;
    if (variant.skipEmptyHeaders && value === '') continue;
    const list = byKey.get(key);
    if (list) list.push(value);
    else byKey.set(key, [value]);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${k}:${(byKey.get(k) ?? []).join(',')}\n`).join('');
}

/** CanonicalizedResource (§2.2.4): decoded path plus the sorted whitelisted sub-resources. */
export function canonicalResource(path: string, query: string, variant: CanonicalVariant = {}): string {
  let decodedPath: string;
  let items: Array<{ key: string; value: string | undefined }>;
  if (variant.pythonPath) {
    const whole = percentDecode(query === '' ? path : `${path}?${query}`);
    const q = whole.indexOf('?');
    decodedPath = q < 0 ? whole : whole.slice(0, q);
    items = splitQuery(q < 0 ? '' : whole.slice(q + 1)).map((i) => ({ key: i.rawKey, value: i.rawValue }));
  } else {
    decodedPath = percentDecode(path);
    items = splitQuery(query).map((i) => ({
      key: percentDecode(i.rawKey),
      value: i.rawValue === undefined ? undefined : percentDecode(i.rawValue),
    }));
  }
  const kept = new Map<string, string>();
  for (const { key, value } of items) {
    if (!SUB_RESOURCES.has(key) && !(variant.withCompression && key === 'compression')) continue;
    // CORE keeps the last value of a duplicated key.
    if (value === undefined || value === '') kept.set(key, variant.keepEmptyEquals && value === '' ? `${key}=` : key);
    else kept.set(key, `${key}=${value}`);
  }
  if (kept.size === 0) return decodedPath;
  const keys = [...kept.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${decodedPath}?${keys.map((k) => kept.get(k)).join('&')}`;
}

/** The `Expires` query value when it is a positive number (presigned), else undefined. */
export function expiresParam(query: string): string | undefined {
  let found: string | undefined;
  for (const i of splitQuery(query)) if (percentDecode(i.rawKey) === 'Expires') found = percentDecode(i.rawValue ?? '');
  return found !== undefined && Number(found) > 0 ? found : undefined;
}

/** StringToSign (§2.2.2). */
export function stringToSign(req: SignableRequest, variant: CanonicalVariant = {}): string {
  const md5 = firstHeader(req.headers, 'content-md5') ?? '';
  let type = firstHeader(req.headers, 'content-type') ?? '';
  if (variant.collapseMultipart && type.toLowerCase().startsWith('multipart/form-data')) type = 'multipart/form-data';
  const expires = req.dateLine ?? expiresParam(req.query);
  const xDate = firstHeader(req.headers, 'x-xiaomi-date');
  const dateLine = expires ?? (xDate ? '' : (firstHeader(req.headers, 'date') ?? ''));
  return `${req.method.toUpperCase()}\n${md5}\n${type}\n${dateLine}\n${canonicalHeaders(req.headers, variant)}${canonicalResource(req.path, req.query, variant)}`;
}

const HMAC_NAME: Record<SignAlgorithm, string> = { sha1: 'sha1', sha256: 'sha256', md5: 'md5' };

/** Base64 HMAC of the StringToSign with the secret (UTF-8 both). */
export function hmacBase64(secret: string, text: string, algorithm: SignAlgorithm = 'sha1'): string {
  return createHmac(HMAC_NAME[algorithm], Buffer.from(secret, 'utf8')).update(text, 'utf8').digest('base64');
}

/** The algorithm implied by a signature's decoded length (§2.2.1), or undefined. */
export function algorithmOf(signature: string): SignAlgorithm | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return undefined;
  const n = Buffer.from(signature, 'base64').length;
  return n === 20 ? 'sha1' : n === 32 ? 'sha256' : n === 16 ? 'md5' : undefined;
}

/** Parses `Galaxy-V2 <AccessKeyId>:<Signature>`. */
export function parseAuthorization(header: string): { accessKeyId: string; signature: string } | undefined {
  const m = /^Galaxy-V2\s+([^:\s]+):(\S+)\s*$/i.exec(header.trim());
  return m?.[1] && m[2] ? { accessKeyId: m[1], signature: m[2] } : undefined;
}

/** Every StringToSign a real client may have produced for this request (§2.2.6), deduplicated. */
export function candidateStrings(req: SignableRequest): string[] {
  const variants: CanonicalVariant[] = [{}];
  const add = (patch: CanonicalVariant) => {
    for (const v of [...variants]) variants.push({ ...v, ...patch });
  };
  // Python decodes `path?query` before splitting it: any escape in either can change what it signed.
  if (/[%?#]/.test(req.path) || req.query.includes('%')) add({ pythonPath: true });
  if (req.headers.some(([k, v]) => k.toLowerCase().startsWith('x-xiaomi-') && v.trim() === '')) add({ skipEmptyHeaders: true });
  if (/(^|&)[^=&]+=(&|$)/.test(req.query)) add({ keepEmptyEquals: true });
  if (/(^|&)compression(=|&|$)/.test(req.query)) add({ withCompression: true });
  if ((firstHeader(req.headers, 'content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) add({ collapseMultipart: true });
  return [...new Set(variants.map((v) => stringToSign(req, v)))];
}

/** Constant-time check of a presented signature against every candidate StringToSign. */
export function verifySignature(req: SignableRequest, secret: string, signature: string): boolean {
  const algorithm = algorithmOf(signature);
  if (!algorithm) return false;
  const presented = Buffer.from(signature, 'base64');
  let ok = false;
  for (const text of candidateStrings(req)) {
    const expected = Buffer.from(hmacBase64(secret, text, algorithm), 'base64');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
  }
  return ok;
}

/** The Authorization header value a client sends for this request. */
export function authorizationHeader(req: SignableRequest, accessKeyId: string, secret: string, algorithm: SignAlgorithm = 'sha1'): string {
  return `Galaxy-V2 ${accessKeyId}:${hmacBase64(secret, stringToSign(req), algorithm)}`;
}
