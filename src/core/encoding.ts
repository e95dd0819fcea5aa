// Percent-encoding, one place for every flavour the protocols meet. Each starts from
// encodeURIComponent (which keeps A-Za-z0-9 and -_.!~*'()) and escapes what its client escapes:
//   rfc3986Encode     RFC 3986 unreserved only (C# Uri.EscapeDataString, FDS presigned paths)
//   javaFormEncode    java.net.URLEncoder / Apache URLEncodedUtils: keeps *, space → '+'
//   phpUrlencode      PHP urlencode(): only A-Za-z0-9-_. kept, space → '+'
//   pythonQuote       Python 2 urllib.quote(s) with safe='/'

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 3986: unreserved A-Za-z0-9-_.~ kept, everything else %XX (UTF-8). */
export function rfc3986Encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, hex);
}

/** java.net.URLEncoder: A-Za-z0-9-_.* kept, space → '+'. */
export function javaFormEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, hex)
    .replace(/%20/g, '+');
}

/** PHP urlencode(): A-Za-z0-9-_. kept, space → '+'. */
export function phpUrlencode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, hex)
    .replace(/%20/g, '+');
}

/** Python 2 urllib.quote(s): A-Za-z0-9-_. and '/' kept. */
export function pythonQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, hex)
    .replace(/%2F/g, '/');
}

/** RFC 3986 per path segment, keeping '/' (object and bucket names in URL paths). */
export function encodePath(name: string): string {
  return name.split('/').map(rfc3986Encode).join('/');
}
