// Object metadata (fds-protocol §3, §5.1): which request headers are stored with an object, and the
// response headers built from them (recommended casing; FDS-specific names in lower case).
import { FdsError } from './errors.ts';

/** Standard headers stored verbatim from the upload (besides Content-Type). */
const STORED_STANDARD = ['cache-control', 'content-encoding', 'content-disposition', 'expires'];
const CASED: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'content-encoding': 'Content-Encoding',
  'content-disposition': 'Content-Disposition',
  expires: 'Expires',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Metadata kept with an object: content type, storage class and the stored headers. */
export interface ObjectMeta {
  contentType: string;
  /** Lower-case header name → value: cache-control, content-encoding, content-disposition, x-xiaomi-meta-*. */
  headers: Record<string, string>;
}

/** Extracts object metadata from request headers (pairs, any case). */
export function metaFromHeaders(headers: ReadonlyArray<readonly [string, string]>): ObjectMeta {
  const out: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [k, v] of headers) {
    const key = k.toLowerCase();
    if (key === 'content-type') contentType ??= v;
    else if (STORED_STANDARD.includes(key)) out[key] ??= v;
    else if (key.startsWith('x-xiaomi-meta-') && key !== 'x-xiaomi-meta-content-length') {
      out[key] = out[key] === undefined ? v : `${out[key]},${v}`;
    }
  }
  return { contentType: contentType && contentType.trim() !== '' ? contentType : DEFAULT_CONTENT_TYPE, headers: out };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether a string can be sent as an HTTP header value. */
export function isHeaderValue(v: string): boolean {
  return HEADER_VALUE.test(v);
}

/** Metadata from a `setMetaData` body `{"rawMeta":{...}}` (Java, Go); entries must be valid HTTP headers. */
export function metaFromRaw(raw: Record<string, unknown>): ObjectMeta {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const value = String(v);
    if (!HEADER_NAME.test(k) || !HEADER_VALUE.test(value))
      throw new FdsError('InvalidRequest', 'rawMeta entries must be valid HTTP header names and values');
    pairs.push([k, value]);
  }
  return metaFromHeaders(pairs);
}

export interface StoredObjectFacts {
  size: number;
  md5: string;
  uploadTime: number;
  meta: ObjectMeta;
  versionId: string;
  ownerId: string;
}

/** HTTP-date (RFC 1123, GMT). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Response headers for GET/HEAD/metadata of an object (without Content-Length/Content-Range). */
export function metadataHeaders(o: StoredObjectFacts): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Type': o.meta.contentType,
    'Last-Modified': httpDate(o.uploadTime),
    'Content-MD5': o.md5,
    ETag: `"${o.md5}"`,
    'x-xiaomi-meta-content-length': String(o.size),
    'upload-time': String(o.uploadTime),
    'object-version-id': o.versionId,
    'object-owner-id': o.ownerId,
  };
  for (const [k, v] of Object.entries(o.meta.headers)) h[CASED[k] ?? k] = v;
  return h;
}

/** `rawMeta` of a listing entry with metadata (§5.9). */
export function rawMeta(o: StoredObjectFacts): Record<string, string> {
  return {
    'content-type': o.meta.contentType,
    'content-md5': o.md5,
    'last-modified': httpDate(o.uploadTime),
    'x-xiaomi-meta-content-length': String(o.size),
    ...o.meta.headers,
  };
}
