// Percent-encoding, one place for every flavour the protocols meet. Each starts from
// encodeURIComponent (which keeps A-Za-z0-9 and -_.!~*'()) and escapes what its client escapes;
// none throws (a lone UTF-16 surrogate is encoded as U+FFFD, as URLSearchParams and Buffer do):
//   rfc3986Encode     RFC 3986 unreserved only (C# Uri.EscapeDataString, FDS presigned paths)
//   javaFormEncode    java.net.URLEncoder / Apache URLEncodedUtils: keeps *, space → '+'
//   phpUrlencode      PHP urlencode(): only A-Za-z0-9-_. kept, space → '+'
//   pythonQuote       Python 2 urllib.quote(s) with safe='/'
// and two decoders: percentDecode (`%XX` as UTF-8, FDS) and lenientFormDecode (a query read as the
// most permissive servers read it).

// A string made only of the characters an encoder keeps comes back as it is, without the passes
// below (ids and tokens, most of what the MAC check and FDS signing encode).
const RFC3986_KEPT = /^[A-Za-z0-9\-_.~]*$/;
const JAVA_KEPT = /^[A-Za-z0-9\-_.*]*$/;
const PHP_KEPT = /^[A-Za-z0-9\-_.]*$/;
const PYTHON_KEPT = /^[A-Za-z0-9\-_./]*$/;

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
const LONE_SURROGATE_RE = /\p{Cs}/gu;

/** encodeURIComponent without its URIError: lone surrogates become U+FFFD first. */
export function encodeComponent(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE_RE, '\uFFFD'));
}

/** RFC 3986: unreserved A-Za-z0-9-_.~ kept, everything else %XX (UTF-8). */
export function rfc3986Encode(s: string): string {
  if (RFC3986_KEPT.test(s)) return s;
  return encodeComponent(s).replace(/[!'()*]/g, hex);
}

/** java.net.URLEncoder: A-Za-z0-9-_.* kept, space → '+'. */
export function javaFormEncode(s: string): string {
  if (JAVA_KEPT.test(s)) return s;
  return encodeComponent(s)
    .replace(/[!'()~]/g, hex)
    .replace(/%20/g, '+');
}

/** PHP urlencode(): A-Za-z0-9-_. kept, space → '+'. */
export function phpUrlencode(s: string): string {
  if (PHP_KEPT.test(s)) return s;
  return encodeComponent(s)
    .replace(/[!'()*~]/g, hex)
    .replace(/%20/g, '+');
}

/** Python 2 urllib.quote(s): A-Za-z0-9-_. and '/' kept. */
export function pythonQuote(s: string): string {
  if (PYTHON_KEPT.test(s)) return s;
  return encodeComponent(s)
    .replace(/[!'()*~]/g, hex)
    .replace(/%2F/g, '/');
}

/** RFC 3986 per path segment, keeping '/' (object and bucket names in URL paths). */
export function encodePath(name: string): string {
  return name.split('/').map(rfc3986Encode).join('/');
}

const ESCAPES_RE = /%u([0-9A-Fa-f]{4})|(?:%[0-9A-Fa-f]{2})+|\+/g;
const ESCAPE_RUN_RE = /(?:%[0-9A-Fa-f]{2})+/g;
// ignoreBOM: an escaped U+FEFF at the start of a run is a character of the name, not a marker.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A run of `%XX` escapes as UTF-8 (bad sequences → U+FFFD per maximal subpart). */
function decodeEscapeRun(run: string): string {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  return utf8.decode(bytes);
}

/**
 * `%XX` escapes decoded as UTF-8 bytes, malformed escapes and `+` kept, never throws (FDS paths
 * and signatures, fds-protocol §1.1, §2.2.4). As if the whole string were turned into UTF-8 bytes
 * and decoded: a literal lone surrogate then becomes U+FFFD too (a literal character never
 * completes an escaped sequence, so escape runs decode on their own).
 */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(LONE_SURROGATE_RE, '\uFFFD').replace(ESCAPE_RUN_RE, decodeEscapeRun);
}

/**
 * Form-decodes the way the most permissive servers read a query: `+` → space, `%XX` runs as UTF-8
 * (bad sequences → U+FFFD), IIS's `%uXXXX`; a malformed escape stays as written. Never throws.
 */
export function lenientFormDecode(s: string): string {
  return s.replace(ESCAPES_RE, (m: string, u: string | undefined) => {
    if (u !== undefined) return String.fromCharCode(Number.parseInt(u, 16));
    return m === '+' ? ' ' : decodeEscapeRun(m);
  });
}
