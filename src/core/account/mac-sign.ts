// Client-side MAC signing of one open-API call (account-protocol §5.1–§5.3), as the Java SDK does
// it, with every intermediate value kept so that a page can show it (the OAuth playground): the
// query, the canonical string, the signature and the Authorization header. The rules themselves
// live in mac-canonical.ts (canonical string, HMAC-SHA1) and the Java client's shape in
// fds/oauth-providers/xiaomi-mac.ts (query and header).
import { canonicalQuery, macHeader } from '../fds/oauth-providers/xiaomi-mac.ts';
import { canonicalString, macOf, type Param } from './mac-canonical.ts';

export interface SignedCall {
  /** The query string sent (sorted, form-encoded, empty values dropped). */
  query: string;
  canonical: string;
  mac: string;
  authorization: string;
}

export interface CallToSign {
  method: 'GET' | 'POST';
  /** Host name as the client signs it (no port). */
  host: string;
  path: string;
  params: readonly Param[];
  accessToken: string;
  macKey: string;
  nonce: string;
}

export function signOpenApiCall(c: CallToSign): SignedCall {
  const query = canonicalQuery(c.params);
  const canonical = canonicalString(c.nonce, c.method, c.host, c.path, query);
  const mac = macOf(c.macKey, canonical);
  return { query, canonical, mac, authorization: macHeader(c.accessToken, c.nonce, mac) };
}
