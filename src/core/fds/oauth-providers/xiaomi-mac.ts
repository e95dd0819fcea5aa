// Client-side MAC signing of a Xiaomi open-API call (account-protocol §5.1–§5.3), as the Java and
// Android SDKs do it. The canonical string, HMAC and nonce come from the account core
// (`canonicalString`/`macOf` in mac-canonical.ts, `newNonce` in mac-nonce.ts); what is client-only
// lives here: the query as the Java SDK sends it (empty values dropped, sorted, form-encoded) and the
// header `MAC access_token="…", nonce="…",mac="…"` with each value form-encoded (Java SDK shape).
import { javaQuery, type Param } from '../../account/mac-canonical.ts';
import { javaFormEncode } from '../../encoding.ts';

export function canonicalQuery(params: readonly Param[]): string {
  return javaQuery(params.filter(([, v]) => v !== ''));
}

export function macHeader(accessToken: string, nonce: string, mac: string): string {
  return `MAC access_token="${javaFormEncode(accessToken)}", nonce="${javaFormEncode(nonce)}",mac="${javaFormEncode(mac)}"`;
}
