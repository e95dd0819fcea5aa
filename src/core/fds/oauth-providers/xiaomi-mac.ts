// Client-side MAC signing of a Xiaomi open-API call (account-protocol §5.1–§5.3), as the Java and
// Android SDKs do it: canonical string from the account core (query sorted by name and
// form-encoded like Java's URLEncoder), HMAC-SHA1 keyed with the UTF-8 MAC key, standard base64;
// header `MAC access_token="…", nonce="…",mac="…"` with each value form-encoded (Java SDK shape).
import { canonicalString, javaFormEncode, javaQuery, macOf, type Param } from '../../account/mac-canonical.ts';

export function canonicalQuery(params: readonly Param[]): string {
  return javaQuery(params.filter(([, v]) => v !== ''));
}

export function macCanonicalString(nonce: string, method: string, host: string, path: string, query: string): string {
  return canonicalString(nonce, method, host, path, query);
}

export function macSign(macKey: string, canonical: string): string {
  return macOf(macKey, canonical);
}

export function macHeader(accessToken: string, nonce: string, mac: string): string {
  return `MAC access_token="${javaFormEncode(accessToken)}", nonce="${javaFormEncode(nonce)}",mac="${javaFormEncode(mac)}"`;
}

/** A nonce in the SDK shape `<random integer>:<minutes since the epoch>`. */
export function macNonce(random: bigint | number, nowMs: number): string {
  return `${random}:${Math.floor(nowMs / 60_000)}`;
}
