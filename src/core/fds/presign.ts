// Presigned URIs (fds-protocol §2.3): `{base}/{b}/{o}?[sub&]GalaxyAccessKeyId=AK&Expires=ms&Signature=raw`.
// The signature covers `METHOD\nmd5\ntype\n<Expires>\n/{b}/{o}[?sub-resources]`; the Signature value
// is appended raw (base64 `+` and `/` unescaped), as the SDKs do.
import { encodePath } from '../encoding.ts';
import { FdsError } from './errors.ts';
import { formDecode, percentDecode, splitQuery } from './query.ts';
import { canonicalResource, hmacBase64, type SignAlgorithm } from './signer.ts';

export interface PresignInput {
  method?: string;
  bucket: string;
  /** Object name (may contain `/`); '' for a bucket-level URL. */
  object: string;
  /** Expiry, milliseconds since the epoch. */
  expires: number;
  accessKeyId: string;
  secret: string;
  /** Whitelisted sub-resources to include, e.g. ['metadata'] or ['uploadId=u1', 'partNumber=2']. */
  subResources?: string[];
  contentType?: string;
  contentMd5?: string;
  algorithm?: SignAlgorithm;
}

/** Path of a bucket or object URL, encoded. */
export function objectPath(bucket: string, object: string): string {
  return object === '' ? `/${encodePath(bucket)}` : `/${encodePath(bucket)}/${encodePath(object)}`;
}

/** The signature of a presigned request. */
export function presignSignature(p: PresignInput): string {
  const subQuery = (p.subResources ?? []).join('&');
  const resource = canonicalResource(objectPath(p.bucket, p.object), subQuery);
  const text = `${(p.method ?? 'GET').toUpperCase()}\n${p.contentMd5 ?? ''}\n${p.contentType ?? ''}\n${p.expires}\n${resource}`;
  return hmacBase64(p.secret, text, p.algorithm);
}

/** Path and query (no scheme/host) of a presigned URI. */
export function presignedPath(p: PresignInput): string {
  const sub = (p.subResources ?? []).map((s) => `${s}&`).join('');
  return `${objectPath(p.bucket, p.object)}?${sub}GalaxyAccessKeyId=${encodeURIComponent(p.accessKeyId)}&Expires=${p.expires}&Signature=${presignSignature(p)}`;
}

/** A full presigned URI on `baseUrl` (e.g. `http://127.0.0.1:8081`). */
export function presignUrl(baseUrl: string, p: PresignInput): string {
  return baseUrl.replace(/\/+$/, '') + presignedPath(p);
}

/** The credential triple of a presigned request, as the server checks it. */
export interface PresignedQuery {
  accessKeyId: string;
  /** `Expires` exactly as sent: 1 to 16 decimal digits (ms). Signed as the DateLine, compared as a number. */
  expires: string;
  /** Raw base64 (`%XX` decoded, `+` kept). */
  signature: string;
}

const CREDENTIAL_KEYS = ['GalaxyAccessKeyId', 'Expires', 'Signature'] as const;

/**
 * Parses the presigned triple from a raw query (§2.3), once, strictly: each key at most once,
 * `Expires` a plain decimal number (no `+`, space, sign, exponent or escape). Undefined when the
 * query lacks GalaxyAccessKeyId or Signature (not a presigned request).
 */
export function parsePresignedQuery(rawQuery: string): PresignedQuery | undefined {
  const found = new Map<string, string>();
  for (const item of splitQuery(rawQuery)) {
    const key = formDecode(item.rawKey);
    if (!(CREDENTIAL_KEYS as readonly string[]).includes(key)) continue;
    if (found.has(key)) throw new FdsError('AuthenticationFailed', `${key} is given more than once`);
    found.set(key, item.rawValue ?? '');
  }
  const ak = found.get('GalaxyAccessKeyId');
  const sig = found.get('Signature');
  if (ak === undefined || sig === undefined) return undefined;
  const expires = found.get('Expires');
  if (expires === undefined) throw new FdsError('RequestExpired', 'a presigned URL needs Expires');
  if (!/^\d{1,16}$/.test(expires)) throw new FdsError('AuthenticationFailed', 'Expires must be milliseconds since the epoch (digits only)');
  return { accessKeyId: formDecode(ak), expires, signature: percentDecode(sig) };
}
