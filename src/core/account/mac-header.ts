// The MAC `Authorization` header (account-protocol §5.4 step 1, §5.7): a tolerant parser for every
// spelling real clients send — `MAC access_token="…", nonce="…",mac="…"` with or without spaces,
// the doc's space before a comma, PHP's trailing space, values URL-encoded (Java, C#, Python
// `quote`) or raw (PHP). Values are decoded with decodeURIComponent semantics, never form-decoding:
// a `+` stays a `+`.

export interface MacHeader {
  accessToken: string;
  nonce: string;
  mac: string;
}

const SCHEME_RE = /^\s*MAC\s+(.*)$/is;
const KEY_RE = /^[A-Za-z_]+$/;

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * One `key = value` item: spaces around key, `=` and value are ignored; the value is either
 * `"quoted"` (no inner quote) or bare (no quote at all). Plain string scans, not a backtracking
 * regex: `\s*=\s*(?:"([^"]*)"|([^"]*?))\s*$` took cubic time on long runs of spaces.
 */
function parsePair(part: string): [string, string] | undefined {
  const eq = part.indexOf('=');
  if (eq < 0) return undefined;
  const key = part.slice(0, eq).trim();
  const value = part.slice(eq + 1).trim();
  if (!KEY_RE.test(key)) return undefined;
  if (!value.startsWith('"')) return value.includes('"') ? undefined : [key, value];
  const inner = value.slice(1, -1);
  return value.length >= 2 && value.endsWith('"') && !inner.includes('"') ? [key, inner] : undefined;
}

/** True when the header uses the MAC scheme (whether or not it is well-formed). */
export function isMacScheme(header: string): boolean {
  return /^\s*MAC(\s|$)/i.test(header);
}

/** Parses a MAC header; null when the scheme is not MAC or a required key is missing or empty. */
export function parseMacHeader(header: string): MacHeader | null {
  const m = SCHEME_RE.exec(header);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const part of (m[1] ?? '').split(',')) {
    const pair = parsePair(part);
    if (pair) out[pair[0].toLowerCase()] = decode(pair[1]);
  }
  const { access_token: accessToken, nonce, mac } = out;
  return accessToken && nonce && mac ? { accessToken, nonce, mac } : null;
}
