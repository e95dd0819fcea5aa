// The host and port rule of the account protocol, shared by redirect URIs (§3.3) and checkPassword
// callbacks (§7.1): a requested URI is acceptable for a registered one when both are well-formed,
// their effective ports are equal, and the requested host equals the registered host or is a
// subdomain of it (never for IP literals). Each caller adds its own rules (schemes, paths).

export interface Authority {
  /** Lower-cased scheme. */
  scheme: string;
  /** Lower-cased host name (IPv6 literals in brackets). */
  host: string;
  /** The port, or the scheme's default port ('' when it has none). */
  port: string;
  /** The path as written (percent-encoding preserved), '' when absent. */
  rawPath: string;
}

export interface AuthorityOptions {
  /** Host names may hold `_` (the doc's own checkPassword callback http://third_url.com/xm). */
  underscore?: boolean;
}

/** The longest URI accepted. */
export const MAX_URI_LENGTH = 2048;
/** Whitespace, control and non-ASCII characters, and backslashes, are refused outright. */
const BAD_CHARS_RE = /[^\x21-\x7e]|\\/;
const RAW_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/;
/** Rejects userinfo (`@`), percent-escapes and empty hosts in the authority. */
const HOST_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const HOST_WITH_UNDERSCORE_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/** The authority of an absolute `scheme://` URI, or undefined when it is malformed or suspicious. */
export function parseAuthority(uri: string, opts: AuthorityOptions = {}): Authority | undefined {
  if (uri.length === 0 || uri.length > MAX_URI_LENGTH || BAD_CHARS_RE.test(uri)) return undefined;
  const m = RAW_RE.exec(uri);
  if (!m) return undefined;
  const [, rawScheme = '', authority = '', rawPath = ''] = m;
  if (!(opts.underscore ? HOST_WITH_UNDERSCORE_RE : HOST_RE).test(authority)) return undefined;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  const scheme = rawScheme.toLowerCase();
  const host = u.hostname.toLowerCase();
  if (!host || host.includes('*') || host.endsWith('.') || host.startsWith('.')) return undefined;
  return { scheme, host, port: u.port || DEFAULT_PORTS[scheme] || '', rawPath };
}

/** Same effective port; the host equal to the registered one or a subdomain of it (not for IP literals). */
export function hostAndPortMatch(requested: Authority, registered: Authority): boolean {
  if (requested.port !== registered.port) return false;
  if (requested.host === registered.host) return true;
  const ipLiteral = /^[\d.]+$/.test(registered.host) || registered.host.startsWith('[');
  return !ipLiteral && requested.host.endsWith(`.${registered.host}`);
}

/** Splits a registered `;`-separated list into its entries. */
export function registeredEntries(registered: string): string[] {
  return registered
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
