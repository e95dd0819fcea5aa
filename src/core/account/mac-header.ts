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
const PAIR_RE = /^\s*([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^"]*?))\s*$/;

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
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
    const kv = PAIR_RE.exec(part);
    if (!kv) continue;
    out[(kv[1] ?? '').toLowerCase()] = decode(kv[2] ?? kv[3] ?? '');
  }
  const { access_token: accessToken, nonce, mac } = out;
  return accessToken && nonce && mac ? { accessToken, nonce, mac } : null;
}
